using System.Diagnostics;
using System.Globalization;
using System.Runtime;
using System.Text;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using WsRest.Server;

namespace WsRest.Load;

/// <summary>
/// <c>--upload-memory</c> (docs/benchmarks.md, "Upload memory"): for HTTP/1.1, HTTP/2 and WsRest in turn,
/// <c>--uploads</c> concurrent uploads of <c>--upload-size-mib</c> each to a handler that reads slower
/// than the wire (<c>--upload-rate-mib</c> per upload). The client sends faster than the server reads,
/// so what the process holds meanwhile is what the transport buffers: the peak working set over the
/// baseline should stay near what the flow-control windows allow, not grow with the body size.
/// Client and server share this process; the client's bodies are <see cref="LargeBodyContent"/>, never buffered.
/// </summary>
internal static class UploadMemoryBench
{
    private const double Mib = LargeBody.BytesPerMib;

    public static async Task<int> RunAsync(LoadOptions options)
    {
        var total = Stopwatch.StartNew();
        var bytes = options.UploadSizeMib * LargeBody.BytesPerMib;
        var expectedSeconds = (double)options.UploadSizeMib / options.UploadRateMib;
        Console.WriteLine($"# WsRest.Load --upload-memory — {Environment.ProcessorCount} cores, .NET {Environment.Version}, server GC: {GCSettings.IsServerGC}, DATAS: {AppContext.GetData("System.GC.DynamicAdaptationMode") ?? "default"}");
        Console.WriteLine(RunEnvironment.Describe());
        Console.WriteLine(RunEnvironment.LoadAverage("load average at start"));
        Console.WriteLine($"{options.Uploads} concurrent uploads of {options.UploadSizeMib} MiB per transport to POST /upload-slow, which reads 64 KiB at a time paced to {options.UploadRateMib} MiB/s per upload (≥ {expectedSeconds:0.#} s per transport); client and server in this one process; resident set (VmRSS) and managed heap sampled every 50 ms");
        Console.WriteLine();

        // The transports with HTTP request bodies under flow control (deflate would only add zlib's buffers).
        var kinds = options.Transports.Where(k => k is TransportKind.Http11 or TransportKind.Http2 or TransportKind.WsRest).ToArray();
        var rows = new List<string>();
        var lines = new List<string>();
        var failed = false;
        var server = await BenchServer.StartAsync().ConfigureAwait(false);
        await using (server.ConfigureAwait(false))
        {
            var bounds = FlowControlBounds(server, options.Uploads);
            var path = $"upload-slow/{options.UploadRateMib}";

            // Each upload takes size / rate by design; the deadline only bounds a hang.
            var timeout = TimeSpan.FromSeconds((expectedSeconds * 4) + 60);
            foreach (var kind in kinds)
            {
                var port = kind == TransportKind.Http2 ? server.Http2Port : server.Http1Port;
                var result = await RunOneAsync(kind, port, options.Uploads, bytes, path, timeout, TimeSpan.FromSeconds(expectedSeconds / 2)).ConfigureAwait(false);
                failed |= result.Verified != options.Uploads;
                rows.Add(string.Create(CultureInfo.InvariantCulture,
                    $"| {Transports.Name(kind)} | {result.Elapsed.TotalSeconds:0.0} | {options.Uploads * bytes / Mib / result.Elapsed.TotalSeconds:0} | {result.BaselineResident / Mib:0.0} | {result.PeakResident / Mib:0.0} | **{(result.PeakResident - result.BaselineResident) / Mib:0.0}** | {result.BaselineManaged / Mib:0.0} | {result.PeakManaged / Mib:0.0} | {(result.PeakManaged - result.BaselineManaged) / Mib:0.0} | {(result.PeakAfterGc - result.BaselineAfterGc) / Mib:0.0} | {(result.LiveHalfWay == 0 ? "–" : ((result.LiveHalfWay - result.BaselineManaged) / Mib).ToString("0.0", CultureInfo.InvariantCulture))} | {bounds[kind]} | {result.Verified}/{options.Uploads} |"));
                lines.Add($"{Transports.Name(kind)}: {result.Verified}/{options.Uploads} uploads of {options.UploadSizeMib} MiB counted in full by the server ({result.Samples} memory samples, {result.Collections} GCs)" + (result.FirstError is null ? string.Empty : $"; first failure: {result.FirstError}"));
            }
        }

        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture, $"### Upload memory: {options.Uploads} × {options.UploadSizeMib} MiB to a handler reading {options.UploadRateMib} MiB/s each");
        text.AppendLine();
        text.AppendLine("| transport | time s | MiB/s (all) | RSS baseline MiB | RSS peak MiB | RSS peak − baseline MiB | managed baseline MiB | managed peak MiB | managed peak − baseline MiB | after-GC heap peak − baseline MiB | live heap half way (full GC) − baseline MiB | server buffering allowed by flow control | uploads verified |");
        text.AppendLine("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---:|");
        rows.ForEach(r => text.AppendLine(r));
        text.AppendLine();
        lines.ForEach(l => text.AppendLine("- " + l));
        if (options.Transports.Contains(TransportKind.RawWebSocket))
        {
            text.AppendLine("- raw WebSocket: n/a (a WebSocket has no per-message flow control to compare; only TCP's window applies).");
        }

        Console.WriteLine(text.ToString());
        Console.WriteLine($"total run time {total.Elapsed.TotalSeconds:0} s; {RunEnvironment.LoadAverage("load average at end")}");
        return failed ? 1 : 0;
    }

    private static async Task<UploadMemoryResult> RunOneAsync(TransportKind kind, int port, int uploads, long bytes, string path, TimeSpan timeout, TimeSpan halfWay)
    {
        LargeConnection connection;
        try
        {
            using var connectTimeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            connection = await LargeConnection.ConnectAsync(kind, port, uploads, connectTimeout.Token).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            return UploadMemoryResult.Failed(RunResult.Describe(ex, RunPhase.Warmup));
        }

        await using (connection.ConfigureAwait(false))
        {
            // One small upload first: connection, JIT and pools are in the baseline, not the peak.
            try
            {
                await connection.CreateRequester(upload: true, LargeBody.BytesPerMib, path, timeout).SendAsync().ConfigureAwait(false);
            }
            catch (Exception ex)
            {
                return UploadMemoryResult.Failed(RunResult.Describe(ex, RunPhase.Warmup));
            }

            GCSettings.LargeObjectHeapCompactionMode = GCLargeObjectHeapCompactionMode.CompactOnce;
            GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
            GC.WaitForPendingFinalizers();
            var baselineResident = UploadMemorySampler.ResidentBytes();
            var baselineManaged = GC.GetTotalMemory(forceFullCollection: false);
            var baselineAfterGc = UploadMemorySampler.AfterGc(GC.GetGCMemoryInfo());

            var requesters = Enumerable.Range(0, uploads).Select(_ => connection.CreateRequester(upload: true, bytes, path, timeout)).ToArray();
            var start = Stopwatch.GetTimestamp();
            var sampler = UploadMemorySampler.Start(halfWay);
            Task[] sends;
            await using (sampler.ConfigureAwait(false))
            {
                sends = [.. requesters.Select(r => r.SendAsync().AsTask())];
                try
                {
                    await Task.WhenAll(sends).ConfigureAwait(false);
                }
                catch (Exception)
                {
                    // Every failure is read from the tasks below and reported, not just the first.
                }
            }

            var elapsed = Stopwatch.GetElapsedTime(start);
            var errors = sends.Where(t => t.IsFaulted).Select(t => RunResult.Describe(t.Exception!.InnerException!, RunPhase.Measure)).ToArray();
            return new UploadMemoryResult(
                uploads - errors.Length,
                elapsed,
                baselineResident,
                Math.Max(baselineResident, sampler.PeakResidentBytes),
                baselineManaged,
                Math.Max(baselineManaged, sampler.PeakManagedBytes),
                baselineAfterGc,
                sampler.PeakAfterGcBytes == 0 ? baselineAfterGc : sampler.PeakAfterGcBytes,
                sampler.LiveHalfWayBytes,
                sampler.Collections,
                sampler.Samples,
                errors.FirstOrDefault());
        }
    }

    /// <summary>What the server may hold of the request bodies at once, per transport, from the options in force.</summary>
    private static Dictionary<TransportKind, string> FlowControlBounds(BenchServer server, int uploads)
    {
        var limits = server.Services.GetRequiredService<IOptions<KestrelServerOptions>>().Value.Limits;
        var wsRest = server.Services.GetRequiredService<IOptions<WsRestServerOptions>>().Value;
        static string Kib(long value) => string.Create(CultureInfo.InvariantCulture, $"{value / 1024.0:0} KiB");
        var http1 = limits.MaxRequestBufferSize is { } perConnection
            ? $"{uploads} conns × {Kib(perConnection)} (Kestrel MaxRequestBufferSize) = {Kib(uploads * perConnection)}"
            : "unbounded (MaxRequestBufferSize null)";
        var h2 = limits.Http2;
        var http2 = $"min({uploads} × {Kib(h2.InitialStreamWindowSize)} stream, {Kib(h2.InitialConnectionWindowSize)} conn window) = {Kib(Math.Min((long)uploads * h2.InitialStreamWindowSize, h2.InitialConnectionWindowSize))}";
        var ws = $"min({uploads} × {Kib(wsRest.InitialStreamWindowSize)} stream, {Kib(wsRest.InitialConnectionWindowSize)} conn window) = {Kib(Math.Min((long)uploads * wsRest.InitialStreamWindowSize, wsRest.InitialConnectionWindowSize))}, + client queue min({uploads} × 128 KiB, {Kib(wsRest.InitialConnectionWindowSize)} conn window)";
        return new Dictionary<TransportKind, string>
        {
            [TransportKind.Http11] = http1,
            [TransportKind.Http2] = http2,
            [TransportKind.WsRest] = ws,
        };
    }

    private sealed record UploadMemoryResult(int Verified, TimeSpan Elapsed, long BaselineResident, long PeakResident, long BaselineManaged, long PeakManaged, long BaselineAfterGc, long PeakAfterGc, long LiveHalfWay, int Collections, int Samples, string? FirstError)
    {
        public static UploadMemoryResult Failed(string error) => new(0, TimeSpan.FromSeconds(1), 0, 0, 0, 0, 0, 0, 0, 0, 0, error);
    }
}
