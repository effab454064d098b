using System.Diagnostics;

namespace WsRest.Load;

/// <summary>The phase every loop of a run reads before and after each request.</summary>
internal sealed class RunPhase
{
    public const int Warmup = 0;
    public const int Measure = 1;
    public const int Stop = 2;

    private volatile int _value;

    public int Value
    {
        get => _value;
        set => _value = value;
    }
}

/// <summary>
/// One closed loop: send, wait for the whole response, send again, until the phase is Stop. Latencies
/// of requests that complete in the Measure phase go into this loop's own preallocated histogram.
/// </summary>
internal sealed class LoadLoop(IRequester requester, RunPhase phase)
{
    public LatencyHistogram Histogram { get; } = new();

    public long Errors { get; private set; }

    public Exception? FirstError { get; private set; }

    public int FirstErrorPhase { get; private set; }

    public async Task RunAsync()
    {
        await Task.Yield();
        while (phase.Value != RunPhase.Stop)
        {
            var start = Stopwatch.GetTimestamp();
            try
            {
                await requester.SendAsync().ConfigureAwait(false);
            }
            catch (Exception ex)
            {
                // Counted and reported, never swallowed silently; yield so a dead connection cannot spin a core.
                if (Errors++ == 0)
                {
                    FirstError = ex;
                    FirstErrorPhase = phase.Value;
                }

                await Task.Yield();
                continue;
            }

            var end = Stopwatch.GetTimestamp();
            if (phase.Value == RunPhase.Measure)
            {
                Histogram.Record(end - start);
            }
        }
    }
}
