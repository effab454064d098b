using System.Diagnostics;

namespace WsRest.Load;

/// <summary>What one (scenario, transport) run measured.</summary>
internal sealed record RunResult(
    TransportKind Transport,
    long Requests,
    TimeSpan Elapsed,
    LatencyHistogram Latency,
    long AllocatedBytes,
    TimeSpan CpuTime,
    long Errors,
    string? FirstError,
    int HungLoops)
{
    public double RequestsPerSecond => Requests / Elapsed.TotalSeconds;

    /// <summary>NaN when the process-wide counter went backwards (a runtime bug, see the project file).</summary>
    public double AllocatedBytesPerRequest => Requests == 0 || AllocatedBytes < 0 ? double.NaN : (double)AllocatedBytes / Requests;

    public double CpuMicrosecondsPerRequest => Requests == 0 ? double.NaN : CpuTime.TotalMicroseconds / Requests;

    /// <summary>Share of all cores the whole process (clients and server) used in the window.</summary>
    public double CpuUtilization => CpuTime / Elapsed / Environment.ProcessorCount;

    /// <summary>
    /// The round with the median rate stands for the transport; failures of every round are kept, so a
    /// problem in any round is reported.
    /// </summary>
    public static RunResult Median(IReadOnlyList<RunResult> rounds)
    {
        var ordered = rounds.OrderBy(r => r.RequestsPerSecond).ToArray();
        var median = ordered[ordered.Length / 2];
        return median with
        {
            Errors = rounds.Sum(r => r.Errors),
            HungLoops = rounds.Sum(r => r.HungLoops),
            FirstError = rounds.Select(r => r.FirstError).FirstOrDefault(e => e is not null),
        };
    }

    public static RunResult Failed(TransportKind transport, Exception error) =>
        new(transport, 0, TimeSpan.FromSeconds(1), new LatencyHistogram(), 0, TimeSpan.Zero, 1, Describe(error, RunPhase.Warmup), 0);

    public static string Describe(Exception error, int phase)
    {
        var where = phase == RunPhase.Measure ? "measuring" : phase == RunPhase.Stop ? "stopping" : "warm-up/connect";
        var inner = error.InnerException is { } e ? $" <- {e.GetType().Name}: {e.Message}" : string.Empty;
        return $"[{where}] {error.GetType().Name}: {error.Message}{inner}";
    }
}

/// <summary>Runs N concurrent closed loops over one transport: warm-up, then a timed window.</summary>
internal static class LoadRunner
{
    private static readonly TimeSpan StopGrace = TimeSpan.FromSeconds(15);

    /// <summary>Set by <c>--alloc-profile</c>: each run samples its allocations by type and prints the largest.</summary>
    public static AllocationProfiler? Profiler { get; set; }

    public static async Task<RunResult> RunAsync(TransportKind kind, ITransport transport, Workload workload, int concurrency, TimeSpan warmup, TimeSpan duration)
    {
        var phase = new RunPhase();
        var loops = new LoadLoop[concurrency];
        for (var i = 0; i < loops.Length; i++)
        {
            loops[i] = new LoadLoop(transport.CreateRequester(workload), phase);
        }

        GC.Collect();
        GC.WaitForPendingFinalizers();
        var tasks = new Task[loops.Length];
        for (var i = 0; i < loops.Length; i++)
        {
            tasks[i] = loops[i].RunAsync();
        }

        await Task.Delay(warmup).ConfigureAwait(false);
        using var process = Process.GetCurrentProcess();
        var cpu0 = process.TotalProcessorTime;
        var allocated0 = GC.GetTotalAllocatedBytes(precise: true);
        var start = Stopwatch.GetTimestamp();
        Profiler?.Start();
        phase.Value = RunPhase.Measure;

        await Task.Delay(duration).ConfigureAwait(false);

        phase.Value = RunPhase.Stop;
        var sampled = Profiler?.Stop();
        var elapsed = Stopwatch.GetElapsedTime(start);
        var allocated1 = GC.GetTotalAllocatedBytes(precise: true);
        process.Refresh();
        var cpu1 = process.TotalProcessorTime;

        var hung = await WaitForLoopsAsync(tasks).ConfigureAwait(false);
        var latency = new LatencyHistogram();
        long errors = 0;
        string? firstError = null;
        foreach (var loop in loops)
        {
            latency.Add(loop.Histogram);
            errors += loop.Errors;
            if (firstError is null && loop.FirstError is { } error)
            {
                firstError = RunResult.Describe(error, loop.FirstErrorPhase);
            }
        }

        if (hung > 0)
        {
            firstError = $"{hung} of {concurrency} loops still waiting for a response {StopGrace.TotalSeconds:0} s after the window closed; " + (firstError ?? "no request had failed");
        }

        if (sampled is not null && latency.Count > 0)
        {
            Console.WriteLine($"allocations by type, {Transports.Name(kind)}, {workload}, {concurrency} in flight (sampled every ~100 KB; B/req):");
            foreach (var (type, bytes) in sampled.Take(25))
            {
                Console.WriteLine($"  {(double)bytes / latency.Count,8:0.0}  {type}");
            }
        }

        return new RunResult(kind, latency.Count, elapsed, latency, allocated1 - allocated0, cpu1 - cpu0, errors, firstError, hung);
    }

    /// <summary>Waits for the loops to see Stop; returns how many are stuck in a request (a hang, reported, not hidden).</summary>
    private static async Task<int> WaitForLoopsAsync(Task[] tasks)
    {
        try
        {
            await Task.WhenAll(tasks).WaitAsync(StopGrace).ConfigureAwait(false);
            return 0;
        }
        catch (TimeoutException)
        {
            return tasks.Count(t => !t.IsCompleted);
        }
    }
}
