using System.Diagnostics;

namespace WsRest.Load;

/// <summary>
/// Samples the process's resident set and managed heap every 50 ms in the background and keeps the
/// peaks. /proc/self/status VmHWM would give the true peak but cannot be reset between transports, so
/// this samples VmRSS instead (a peak shorter than 50 ms can be missed); off Linux it falls back to
/// <see cref="Process.WorkingSet64"/>.
/// </summary>
internal sealed class UploadMemorySampler : IAsyncDisposable
{
    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(50);

    private readonly CancellationTokenSource _stop = new();
    private readonly long _firstGcIndex = GC.GetGCMemoryInfo().Index;
    private readonly int _firstGen0Count = GC.CollectionCount(0);
    private readonly Task _loop;
    private readonly long _halfWay;
    private readonly long _started = Stopwatch.GetTimestamp();

    private UploadMemorySampler(TimeSpan halfWay)
    {
        _halfWay = (long)(halfWay.TotalSeconds * Stopwatch.Frequency);
        _loop = Task.Run(SampleLoopAsync);
    }

    /// <summary>
    /// The managed heap after one full, blocking collection taken half way through the uploads: what
    /// was live then, whatever the collector's timing (<see cref="PeakAfterGcBytes"/> moves with how
    /// often gen-0 collections run, as they leave older garbage in place). 0 if sampling ended first.
    /// </summary>
    public long LiveHalfWayBytes { get; private set; }

    /// <summary>
    /// The largest managed heap left right after a GC that ran while sampling (heap size less free
    /// fragments): unlike <see cref="PeakManagedBytes"/> it leaves out the garbage between collections,
    /// so it is close to what was live. 0 if no GC ran.
    /// </summary>
    public long PeakAfterGcBytes { get; private set; }

    /// <summary>Gen-0 collections (which counts all collections) while sampling.</summary>
    public int Collections => GC.CollectionCount(0) - _firstGen0Count;

    public long PeakResidentBytes { get; private set; }

    public long PeakManagedBytes { get; private set; }

    public int Samples { get; private set; }

    /// <param name="halfWay">When to take the one full-collection sample (<see cref="LiveHalfWayBytes"/>).</param>
    public static UploadMemorySampler Start(TimeSpan halfWay) => new(halfWay);

    /// <summary>The resident set now: VmRSS on Linux, the working set elsewhere.</summary>
    public static long ResidentBytes()
    {
        if (File.Exists("/proc/self/status"))
        {
            foreach (var line in File.ReadLines("/proc/self/status"))
            {
                if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
                {
                    // "VmRSS:    123456 kB"
                    return long.Parse(line.AsSpan(6).Trim().TrimEnd("kB").Trim(), System.Globalization.CultureInfo.InvariantCulture) * 1024;
                }
            }
        }

        using var process = Process.GetCurrentProcess();
        return process.WorkingSet64;
    }

    /// <summary>The heap left by the GC <paramref name="info"/> describes, without its free fragments.</summary>
    public static long AfterGc(GCMemoryInfo info) => info.HeapSizeBytes - info.FragmentedBytes;

    /// <summary>Stops sampling after one last sample.</summary>
    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        await _loop.ConfigureAwait(false);
        _stop.Dispose();
    }

    private async Task SampleLoopAsync()
    {
        using var timer = new PeriodicTimer(Interval);
        do
        {
            Sample();
        }
        while (await WaitAsync(timer).ConfigureAwait(false));

        Sample();
    }

    private async Task<bool> WaitAsync(PeriodicTimer timer)
    {
        try
        {
            return await timer.WaitForNextTickAsync(_stop.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    private void Sample()
    {
        PeakResidentBytes = Math.Max(PeakResidentBytes, ResidentBytes());
        PeakManagedBytes = Math.Max(PeakManagedBytes, GC.GetTotalMemory(forceFullCollection: false));
        if (LiveHalfWayBytes == 0 && Stopwatch.GetTimestamp() - _started >= _halfWay)
        {
            LiveHalfWayBytes = GC.GetTotalMemory(forceFullCollection: true);
        }

        if (GC.GetGCMemoryInfo() is { } gc && gc.Index > _firstGcIndex)
        {
            PeakAfterGcBytes = Math.Max(PeakAfterGcBytes, AfterGc(gc));
        }

        Samples++;
    }
}
