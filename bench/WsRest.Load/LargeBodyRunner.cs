using System.Diagnostics;

namespace WsRest.Load;

/// <summary>
/// Runs a fixed number of large requests over one transport, N at a time, instead of a timed window:
/// a 64 MiB request can take longer than a window, and one cut off at the window's edge would be
/// lost or half counted. Each loop first sends one warm-up request (not measured); then the loops
/// share a count of measured requests, and the run lasts from the first start to the last completion.
/// </summary>
internal static class LargeBodyRunner
{
    public static async Task<RunResult> RunAsync(TransportKind kind, LargeConnection connection, bool upload, long bytes, int concurrency, int requests, TimeSpan requestTimeout)
    {
        var requesters = new IRequester[concurrency];
        for (var i = 0; i < requesters.Length; i++)
        {
            requesters[i] = connection.CreateRequester(upload, bytes, "upload", requestTimeout);
        }

        try
        {
            await Task.WhenAll(requesters.Select(r => r.SendAsync().AsTask())).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            return RunResult.Failed(kind, ex);
        }

        GC.Collect();
        GC.WaitForPendingFinalizers();
        using var process = Process.GetCurrentProcess();
        var cpu0 = process.TotalProcessorTime;
        var allocated0 = GC.GetTotalAllocatedBytes(precise: true);
        var start = Stopwatch.GetTimestamp();

        var remaining = requests;
        var loops = requesters.Select(r => RunLoopAsync(r, () => Interlocked.Decrement(ref remaining) >= 0)).ToArray();
        await Task.WhenAll(loops).ConfigureAwait(false);

        var elapsed = Stopwatch.GetElapsedTime(start);
        var allocated1 = GC.GetTotalAllocatedBytes(precise: true);
        process.Refresh();
        var cpu1 = process.TotalProcessorTime;

        var latency = new LatencyHistogram();
        long errors = 0;
        string? firstError = null;
        foreach (var loop in loops)
        {
            var (histogram, loopErrors, error) = loop.Result;
            latency.Add(histogram);
            errors += loopErrors;
            firstError ??= error is null ? null : RunResult.Describe(error, RunPhase.Measure);
        }

        return new RunResult(kind, latency.Count, elapsed, latency, allocated1 - allocated0, cpu1 - cpu0, errors, firstError, 0);
    }

    /// <summary>Sends while the shared count lasts; every request ends (each has a deadline), so a hang shows as an error.</summary>
    private static async Task<(LatencyHistogram Histogram, long Errors, Exception? FirstError)> RunLoopAsync(IRequester requester, Func<bool> takeOne)
    {
        await Task.Yield();
        var histogram = new LatencyHistogram();
        long errors = 0;
        Exception? firstError = null;
        while (takeOne())
        {
            var start = Stopwatch.GetTimestamp();
            try
            {
                await requester.SendAsync().ConfigureAwait(false);
                histogram.Record(Stopwatch.GetTimestamp() - start);
            }
            catch (Exception ex)
            {
                if (errors++ == 0)
                {
                    firstError = ex;
                }
            }
        }

        return (histogram, errors, firstError);
    }
}
