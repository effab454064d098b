using System.Diagnostics;
using System.Globalization;
using System.Runtime;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using WsRest.Client;
using WsRest.Server;

namespace WsRest.Load;

/// <summary>
/// <c>--idle</c>: what an idle connection costs the server (docs/benchmarks.md, "Idle connections").
/// The server runs here; the clients run in a child process (<see cref="IdleClient"/>), so this
/// process's memory is the server's alone. A warm-up round of every kind first; then per kind a full
/// GC and a snapshot, N connections opened (<see cref="Parallel"/> handshakes at a time), a snapshot once the server
/// counts all N, a hold of at least one heartbeat interval, a last snapshot, and a count of survivors.
/// </summary>
internal static class IdleBench
{
    /// <summary>Handshakes in flight at once while opening.</summary>
    public const int Parallel = 64;

    private const int TargetBytesPerConnection = 20 * 1024;
    private const int WarmupConnections = 1000;
    private static readonly TimeSpan s_serverCountTimeout = TimeSpan.FromSeconds(60);

    public static async Task<int> RunAsync(LoadOptions options)
    {
        var total = Stopwatch.StartNew();
        var n = options.IdleConnections;
        Console.WriteLine($"# WsRest.Load --idle — {Environment.ProcessorCount} cores, .NET {Environment.Version}, server GC: {GCSettings.IsServerGC}, DATAS: {AppContext.GetData("System.GC.DynamicAdaptationMode") ?? "default"}");
        Console.WriteLine(RunEnvironment.Describe());
        Console.WriteLine(RunEnvironment.LoadAverage("load average at start"));

        using var counters = new IdleServerCounters();
        var results = new List<IdleResult>();
        var warmupProblems = new List<string>();
        await using (var server = await BenchServer.StartAsync().ConfigureAwait(false))
        {
            var registry = server.Services.GetRequiredService<WsRestConnectionRegistry>();
            var serverOptions = server.Services.GetRequiredService<IOptions<WsRestServerOptions>>().Value;
            var clientInterval = new WsRestClientOptions().KeepAliveInterval;
            var interval = TimeSpan.FromTicks(Math.Min(serverOptions.KeepAliveInterval.Ticks, clientInterval.Ticks));

            // The peer's heartbeat ticks every quarter interval: past interval + a quarter + slack, each
            // side has sent at least one PING. A longer default interval is reported, not waited for.
            var hold = options.IdleHold
                ?? (interval > TimeSpan.Zero && interval <= TimeSpan.FromSeconds(15) ? interval + (interval / 4) + TimeSpan.FromSeconds(1) : TimeSpan.FromSeconds(5));
            Console.WriteLine($"{n:N0} connections per kind, opened {Parallel} handshakes at a time by a child process; held idle {hold.TotalSeconds:0.#} s. Heartbeat (defaults): server {serverOptions.KeepAliveInterval.TotalSeconds:0.#} s, client {clientInterval.TotalSeconds:0.#} s{(hold < interval ? " — the hold is SHORTER than one heartbeat interval" : string.Empty)}");
            Console.WriteLine();

            await using var clients = IdleClientProcess.Start(server.Http1Port, options.AllocationProfile);
            using var profiler = options.AllocationProfile ? new AllocationProfiler() : null;
            var kinds = options.IdleKinds ?? Enum.GetValues<IdleKind>();

            // Warm-up of every kind before any baseline (not reported): JIT (tier-1 too), pools, thread
            // pool threads and lazily created statics grow the process once; measured after the first
            // baseline they would land on the first row only (seen: up to 3 KB per connection of RSS).
            foreach (var kind in kinds)
            {
                if (await WarmUpAsync(kind, Math.Min(WarmupConnections, n), clients, registry, counters).ConfigureAwait(false) is { } problem)
                {
                    warmupProblems.Add($"- warm-up, {problem}");
                }
            }

            foreach (var kind in kinds)
            {
                profiler?.Start();
                var result = await MeasureAsync(kind, n, hold, clients, registry, counters).ConfigureAwait(false);
                if (profiler is not null)
                {
                    AllocationProfiler.Print(Console.Error, $"server, {IdleKinds.Name(kind)} (open, hold, close)", profiler.Stop(), n);
                }

                results.Add(result);
                Console.Error.WriteLine($"done: {IdleKinds.Name(kind)}");
            }
        }

        Console.WriteLine(Table(results));
        var problems = warmupProblems.Concat(results.Where(r => r.Problem is not null).Select(r => $"- {IdleKinds.Name(r.Kind)}: {r.Problem}")).ToList();
        Console.WriteLine(problems.Count == 0 ? "Every idle connection stayed open." : "## Problems seen\n\n" + string.Join('\n', problems));
        Console.WriteLine();
        Console.WriteLine($"total run time {total.Elapsed.TotalSeconds:0} s; {RunEnvironment.LoadAverage("load average at end")}");
        return problems.Count == 0 ? 0 : 1;
    }

    private static async Task<string?> WarmUpAsync(IdleKind kind, int count, IdleClientProcess clients, WsRestConnectionRegistry registry, IdleServerCounters counters)
    {
        var baseConnections = counters.KestrelConnections;
        var (opened, failed, _, _, firstError) = await clients.OpenAsync(kind, count, Parallel).ConfigureAwait(false);
        var problem = failed > 0 ? $"{IdleKinds.Name(kind)}: {failed:N0} connections failed to open. First: {firstError}" : null;
        problem ??= await WaitForServerAsync(kind, baseConnections, opened, registry, counters).ConfigureAwait(false);
        await clients.CloseAllAsync().ConfigureAwait(false);
        return problem ?? await WaitForServerAsync(kind, baseConnections, 0, registry, counters).ConfigureAwait(false);
    }

    private static async Task<IdleResult> MeasureAsync(IdleKind kind, int n, TimeSpan hold, IdleClientProcess clients, WsRestConnectionRegistry registry, IdleServerCounters counters)
    {
        var baseConnections = counters.KestrelConnections;
        var before = IdleMemory.Take();
        var serverCostBefore = IdleCost.Now();
        var (opened, failed, elapsed, clientCost, firstError) = await clients.OpenAsync(kind, n, Parallel).ConfigureAwait(false);
        var problem = failed > 0 ? $"{failed:N0} of {n:N0} connections failed to open. First: {firstError}" : null;
        problem ??= await WaitForServerAsync(kind, baseConnections, opened, registry, counters).ConfigureAwait(false);
        var serverCost = IdleCost.Now() - serverCostBefore;
        var afterOpen = IdleMemory.Take() - before;

        // Any connection the server closes from here on was dropped while idle.
        using var stopWatching = new CancellationTokenSource();
        var closes = kind == IdleKind.WsRest ? CountDropsAsync(registry, stopWatching.Token) : Task.FromResult(0L);
        var bytesBefore = counters.WsRestBytesReceived;
        await Task.Delay(hold).ConfigureAwait(false);
        var afterHold = IdleMemory.Take() - before;
        var heartbeatBytes = counters.WsRestBytesReceived - bytesBefore;
        var alive = await clients.CountAliveAsync().ConfigureAwait(false);
        var onServer = kind == IdleKind.WsRest ? Math.Min(registry.Count, counters.KestrelConnections - baseConnections) : counters.KestrelConnections - baseConnections;
        await stopWatching.CancelAsync().ConfigureAwait(false);
        var drops = await closes.ConfigureAwait(false);
        if (alive != opened || onServer != opened || drops != 0)
        {
            var dropped = $"after {hold.TotalSeconds:0.#} s idle, {alive:N0} of {opened:N0} are open on the client side and {onServer:N0} on the server; the server saw {drops:N0} close.";
            problem = problem is null ? dropped : $"{problem} And {dropped}";
        }

        await clients.CloseAllAsync().ConfigureAwait(false);
        problem ??= await WaitForServerAsync(kind, baseConnections, 0, registry, counters).ConfigureAwait(false);
        return new IdleResult(kind, n, opened, elapsed, afterOpen, afterHold, hold, alive, onServer, drops, heartbeatBytes, problem) { ServerCost = serverCost, ClientCost = clientCost };
    }

    /// <summary>Closed or failed events from the registry until cancelled (watching starts before this returns).</summary>
    private static Task<long> CountDropsAsync(WsRestConnectionRegistry registry, CancellationToken cancellationToken)
    {
        var events = registry.WatchAsync(cancellationToken);
        return Task.Run(async () =>
        {
            long drops = 0;
            try
            {
                await foreach (var e in events.ConfigureAwait(false))
                {
                    if (e.Kind is WsRestConnectionEventKind.Closed or WsRestConnectionEventKind.Failed)
                    {
                        drops++;
                        Console.Error.WriteLine($"idle: connection {e.Connection.Id} {e.Kind} during the hold: {e.Error?.Message ?? "closed"}");
                    }
                }
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                // The hold is over: the count so far is the answer.
            }

            return drops;
        }, CancellationToken.None);
    }

    /// <summary>
    /// Waits until the server counts <paramref name="open"/> connections of this run: every kind in
    /// Kestrel's counter (on top of <paramref name="baseConnections"/>), WsRest ones in the registry too
    /// (there only once their handshake is done). Polls: neither source offers "wait until N".
    /// </summary>
    private static async Task<string?> WaitForServerAsync(IdleKind kind, long baseConnections, long open, WsRestConnectionRegistry registry, IdleServerCounters counters)
    {
        var waited = Stopwatch.StartNew();
        while (true)
        {
            var kestrel = counters.KestrelConnections - baseConnections;
            var wsRest = registry.Count;
            if (kestrel == open && (kind != IdleKind.WsRest || wsRest == open))
            {
                return null;
            }

            if (waited.Elapsed > s_serverCountTimeout)
            {
                return $"the server counts {kestrel:N0} TCP connections ({wsRest:N0} WsRest) after {s_serverCountTimeout.TotalSeconds:0} s; expected {open:N0}.";
            }

            await Task.Delay(50).ConfigureAwait(false);
        }
    }

    private static string Table(IReadOnlyList<IdleResult> results)
    {
        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture, $"| kind | open at the end (client / server) | opened/s ({Parallel} at a time) | managed heap B/conn after open | managed heap B/conn after hold | GC committed B/conn after hold | RSS B/conn after hold | RssAnon B/conn after hold | heartbeat bytes received during hold |");
        text.AppendLine("|---|---:|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var r in results)
        {
            text.AppendLine(CultureInfo.InvariantCulture,
                $"| {IdleKinds.Name(r.Kind)} | {r.AliveOnClient:N0} / {r.OpenOnServer:N0} of {r.Requested:N0} | {r.ConnectionsPerSecond:N0} | {r.PerConnection(r.AfterOpen.ManagedBytes):N0} | {r.PerConnection(r.AfterHold.ManagedBytes):N0} | {r.PerConnection(r.AfterHold.CommittedBytes):N0} | {r.PerConnection(r.AfterHold.WorkingSetBytes):N0} | {r.PerConnection(r.AfterHold.RssAnonBytes):N0} | {(r.Kind == IdleKind.WsRest ? r.HeartbeatBytes.ToString("N0", CultureInfo.InvariantCulture) : "–")} |");
        }

        text.AppendLine();
        text.AppendLine("Cost of opening, per connection (the whole open phase of each process: allocation and CPU time of all its threads; load-independent, unlike opened/s):");
        text.AppendLine();
        text.AppendLine("| kind | server allocated B/conn | server CPU µs/conn | client allocated B/conn | client CPU µs/conn |");
        text.AppendLine("|---|---:|---:|---:|---:|");
        foreach (var r in results)
        {
            text.AppendLine(CultureInfo.InvariantCulture,
                $"| {IdleKinds.Name(r.Kind)} | {r.PerConnection(r.ServerCost.AllocatedBytes):N0} | {r.PerConnection((long)(r.ServerCost.Cpu.TotalMicroseconds)):N1} | {r.PerConnection(r.ClientCost.AllocatedBytes):N0} | {r.PerConnection((long)(r.ClientCost.Cpu.TotalMicroseconds)):N1} |");
        }

        text.AppendLine();
        if (results.FirstOrDefault(r => r.Kind == IdleKind.WsRest && r.Opened > 0) is { } wsRest)
        {
            var managed = wsRest.PerConnection(wsRest.AfterHold.ManagedBytes);
            var rss = wsRest.PerConnection(wsRest.AfterHold.WorkingSetBytes);
            text.AppendLine(CultureInfo.InvariantCulture,
                $"Target: at most {TargetBytesPerConnection:N0} B ({TargetBytesPerConnection / 1024} KiB) of server memory per idle WsRest connection — managed heap {managed:N0} B ({Verdict(managed)}), RSS {rss:N0} B ({Verdict(rss)}).");
        }

        return text.ToString();

        static string Verdict(double bytes) => bytes <= TargetBytesPerConnection
            ? "met"
            : string.Create(CultureInfo.InvariantCulture, $"missed by {bytes - TargetBytesPerConnection:N0} B");
    }
}
