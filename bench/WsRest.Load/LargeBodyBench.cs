namespace WsRest.Load;

/// <summary>
/// The large-body scenarios of the normal run (docs/benchmarks.md, "Large bodies"): GET /download and
/// POST /upload of <c>--large-size-mib</c> each, at each <c>--large-concurrency</c> level, on every
/// transport, a fixed number of requests each (<see cref="LargeBodyRunner"/>).
/// </summary>
internal static class LargeBodyBench
{
    public static string Describe(LoadOptions options) => options.LargeSizeMib == 0
        ? "large bodies: left out (--large-size-mib 0)"
        : $"large bodies: {options.LargeSizeMib} MiB download and upload at {string.Join(", ", options.LargeConcurrency)} in flight, {options.LargeRequests} measured requests each after 1 warm-up per loop";

    public static async Task<List<(string Scenario, IReadOnlyList<RunResult> Results)>> RunAsync(BenchServer server, LoadOptions options)
    {
        var all = new List<(string Scenario, IReadOnlyList<RunResult> Results)>();
        if (options.LargeSizeMib == 0)
        {
            return all;
        }

        var bytes = options.LargeSizeMib * LargeBody.BytesPerMib;

        // Generous: a 64 MiB request on a loaded 2-core machine takes well under a second; this only
        // bounds a hang, which then shows as a failed request.
        var requestTimeout = TimeSpan.FromSeconds(60) + TimeSpan.FromSeconds(options.LargeSizeMib);
        foreach (var upload in new[] { false, true })
        {
            foreach (var concurrency in options.LargeConcurrency)
            {
                var name = upload
                    ? $"POST /upload ({options.LargeSizeMib} MiB up, byte count back), {concurrency} in flight"
                    : $"GET /download ({options.LargeSizeMib} MiB), {concurrency} in flight";
                // SignalR invocations carry one buffered message each (no streamed 64 MiB body), and
                // compressing one repeated chunk would measure zlib on a best case: both stay out. The JSON
                // encoding is for browsers and debugging (a third larger in base64): its bulk rate is not a target.
                // One 64 MiB body is one stream: there is nothing to batch, and the unbatched raw row is that limit.
                var kinds = options.Transports.Where(k => k is not (TransportKind.SignalR or TransportKind.WsRestDeflate or TransportKind.WsRestJson or TransportKind.RawBatch)).ToArray();
                var rounds = kinds.ToDictionary(k => k, _ => new List<RunResult>());
                for (var round = 0; round < options.Rounds; round++)
                {
                    // As in the small scenarios: each round starts with another transport, the median round counts.
                    for (var i = 0; i < kinds.Length; i++)
                    {
                        var kind = kinds[(i + round) % kinds.Length];
                        var port = kind == TransportKind.Http2 ? server.Http2Port : server.Http1Port;
                        rounds[kind].Add(await RunOneAsync(kind, port, upload, bytes, concurrency, options.LargeRequests, requestTimeout).ConfigureAwait(false));
                    }
                }

                var results = kinds.Select(k => RunResult.Median(rounds[k])).ToList();

                var note = concurrency > 1 && options.Transports.Contains(TransportKind.RawWebSocket)
                    ? "The raw WebSocket carries one message at a time: its loops take turns on the one socket, so its latency includes that wait."
                    : null;
                Console.WriteLine(Report.LargeTable(name, bytes, results, note));
                if (options.Rounds > 1)
                {
                    Console.WriteLine(Report.RoundsLine(rounds, "MiB/s", (double)bytes / LargeBody.BytesPerMib));
                }

                all.Add((name, results));
            }
        }

        return all;
    }

    private static async Task<RunResult> RunOneAsync(TransportKind kind, int port, bool upload, long bytes, int concurrency, int requests, TimeSpan requestTimeout)
    {
        LargeConnection connection;
        try
        {
            using var connectTimeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            connection = await LargeConnection.ConnectAsync(kind, port, concurrency, connectTimeout.Token).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            return RunResult.Failed(kind, ex);
        }

        try
        {
            return await LargeBodyRunner.RunAsync(kind, connection, upload, bytes, concurrency, requests, requestTimeout).ConfigureAwait(false);
        }
        finally
        {
            try
            {
                await connection.DisposeAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(10)).ConfigureAwait(false);
            }
            catch (Exception ex)
            {
                Console.WriteLine($"!! {Transports.Name(kind)}: closing the transport failed: {RunResult.Describe(ex, RunPhase.Stop)}");
            }
        }
    }
}
