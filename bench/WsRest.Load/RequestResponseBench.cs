using System.Diagnostics;
using System.Runtime;

namespace WsRest.Load;

/// <summary>The default mode: request/response scenarios over every transport, then large bodies and wire bytes.</summary>
internal static class RequestResponseBench
{
    public static async Task<int> RunAsync(LoadOptions options)
    {
        using var profiler = options.AllocationProfile ? new AllocationProfiler() : null;
        LoadRunner.Profiler = profiler;
        var total = Stopwatch.StartNew();
        Console.WriteLine($"# WsRest.Load — {Environment.ProcessorCount} cores, .NET {Environment.Version}, server GC: {GCSettings.IsServerGC}, DATAS: {AppContext.GetData("System.GC.DynamicAdaptationMode") ?? "default"}");
        Console.WriteLine($"warm-up {options.Warmup.TotalSeconds:0.#} s, window {options.Duration.TotalSeconds:0.#} s per (scenario, transport, round), {options.Rounds} round(s) (the median round is shown); small GET at {string.Join(", ", options.Concurrency)}; POST 4 KiB at {options.EchoConcurrency}");
        Console.WriteLine(LargeBodyBench.Describe(options));
        Console.WriteLine(RunEnvironment.Describe());
        Console.WriteLine(RunEnvironment.LoadAverage("load average at start"));
        Console.WriteLine();

        var problems = new List<string>();
        var server = await BenchServer.StartAsync().ConfigureAwait(false);
        await using (server.ConfigureAwait(false))
        {
            int PortOf(TransportKind kind) => kind == TransportKind.Http2 ? server.Http2Port : server.Http1Port;

            var scenarios = new List<(string Name, Workload Workload, int Concurrency)>();
            scenarios.AddRange(options.Concurrency.Select(c => ($"GET /small, {c} in flight", Workload.SmallGet, c)));
            scenarios.Add(($"POST /echo4k (4 KiB each way), {options.EchoConcurrency} in flight", Workload.Echo4K, options.EchoConcurrency));

            var all = new List<(string Scenario, IReadOnlyList<RunResult> Results)>();
            var smallGets = new List<(int Concurrency, IReadOnlyList<RunResult> Results)>();
            foreach (var (name, workload, concurrency) in scenarios)
            {
                var rounds = options.Transports.ToDictionary(k => k, _ => new List<RunResult>());
                for (var round = 0; round < options.Rounds; round++)
                {
                    // Each round starts with another transport: none always runs first, right after a GC-heavy
                    // neighbour, or while the machine is in the same mood.
                    for (var i = 0; i < options.Transports.Count; i++)
                    {
                        var kind = options.Transports[(i + round) % options.Transports.Count];
                        LoadProgress.Report($"{name} — {Transports.Name(kind)}, round {round + 1}/{options.Rounds}");
                        rounds[kind].Add(await RunOneAsync(kind, PortOf(kind), workload, concurrency, options).ConfigureAwait(false));
                    }
                }

                var results = options.Transports.Select(k => RunResult.Median(rounds[k])).ToList();
                all.Add((name, results));
                if (workload == Workload.SmallGet)
                {
                    smallGets.Add((concurrency, results));
                }

                Console.WriteLine(Report.ScenarioTable(name, results));
                if (options.Rounds > 1)
                {
                    Console.WriteLine(Report.RoundsLine(rounds));
                }
            }

            LoadProgress.Report("large bodies");
            all.AddRange(await LargeBodyBench.RunAsync(server, options).ConfigureAwait(false));

            Console.WriteLine(Report.RatioTable(all));
            if (options.Transports.Contains(TransportKind.RawBatch))
            {
                Console.WriteLine(Report.LimitTable(all));
            }

            var wire = new List<WireResult>();
            foreach (var kind in options.Transports)
            {
                LoadProgress.Report($"wire bytes — {Transports.Name(kind)}");
                wire.Add(await WireMeasurement.MeasureAsync(kind, PortOf(kind), options.WireRequests).ConfigureAwait(false));
            }

            Console.WriteLine(Report.WireTable(wire));
            if (options.Transports.Contains(TransportKind.WsRestJson))
            {
                Console.WriteLine(Report.EncodingTable(smallGets, wire));
            }
            Console.WriteLine("Response headers of one GET /small:");
            Console.WriteLine();
            // Raw and SignalR carry no HTTP response headers per request.
            foreach (var kind in options.Transports.Where(k => k is not (TransportKind.RawWebSocket or TransportKind.RawBatch or TransportKind.SignalR)))
            {
                Console.WriteLine("- " + await HeaderProbe.DescribeAsync(kind, PortOf(kind)).ConfigureAwait(false));
            }

            Console.WriteLine();
            problems.AddRange(all.SelectMany(s => s.Results.Where(r => r.FirstError is not null).Select(r => $"- {s.Scenario}, {Transports.Name(r.Transport)}: {r.Errors} failed requests, {r.HungLoops} hung loops. First: {r.FirstError}")));
            problems.AddRange(wire.Where(w => w.Error is not null).Select(w => $"- wire bytes, {Transports.Name(w.Transport)}: {w.Error}"));
        }

        Console.WriteLine(problems.Count == 0 ? "No failed or hung requests." : "## Problems seen\n\n" + string.Join('\n', problems));
        Console.WriteLine();
        Console.WriteLine($"total run time {total.Elapsed.TotalSeconds:0} s; {RunEnvironment.LoadAverage("load average at end")}");
        return problems.Count == 0 ? 0 : 1;
    }

    private static async Task<RunResult> RunOneAsync(TransportKind kind, int port, Workload workload, int concurrency, LoadOptions options)
    {
        ITransport transport;
        try
        {
            using var connectTimeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            transport = await Transports.ConnectAsync(kind, port, concurrency, connectTimeout.Token).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            return RunResult.Failed(kind, ex);
        }

        RunResult result;
        try
        {
            result = await LoadRunner.RunAsync(kind, transport, workload, concurrency, options.Warmup, options.Duration).ConfigureAwait(false);
        }
        finally
        {
            try
            {
                // A transport that cannot close is a finding too: bounded, and reported.
                await transport.DisposeAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(10)).ConfigureAwait(false);
            }
            catch (Exception ex)
            {
                Console.WriteLine($"!! {Transports.Name(kind)}: closing the transport failed: {RunResult.Describe(ex, RunPhase.Stop)}");
            }
        }

        return result;
    }
}
