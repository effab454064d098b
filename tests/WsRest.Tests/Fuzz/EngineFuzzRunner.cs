using System.Collections.Concurrent;
using System.Diagnostics;
using WsRest.Engine;

namespace WsRest.Tests.Fuzz;

/// <summary>
/// Runs stateful fuzz sessions one after another, alternating the live peer's role, and checks across them what
/// one session cannot see: pooled buffers not returned and memory that keeps growing (docs/fuzzing.md, "The engine").
/// </summary>
public static class EngineFuzzRunner
{
    private const int MemoryEvery = 50;

    /// <summary>Runs <paramref name="sessions"/> sessions from <paramref name="seed"/>; session <c>i</c> depends only on (seed, i) and thread timing.</summary>
    /// <param name="captureStacks">Print where each leaked pooled buffer was rented (slow).</param>
    public static async Task<EngineFuzzReport> RunAsync(int sessions, int seed, TextWriter? progress = null, TimeSpan? progressEvery = null, bool captureStacks = false)
        => await RunAsync(Enumerable.Range(0, sessions).Select(i => (i, i % 2 == 0 ? PeerRole.Server : PeerRole.Client)).ToList(), seed, progress, progressEvery, captureStacks);

    /// <summary>Repeats session <paramref name="index"/> of <paramref name="seed"/> (its role follows from the index), printing where leaked buffers were rented.</summary>
    public static Task<EngineFuzzReport> ReproduceAsync(int seed, int index, TextWriter output)
        => RunAsync([(index, index % 2 == 0 ? PeerRole.Server : PeerRole.Client)], seed, output, TimeSpan.Zero, captureStacks: true);

    private static async Task<EngineFuzzReport> RunAsync(List<(int Index, PeerRole Role)> plan, int seed, TextWriter? progress, TimeSpan? progressEvery, bool captureStacks)
    {
        var sessions = plan.Count;
        var findings = new ConcurrentDictionary<string, (int Count, int FirstSession)>(StringComparer.Ordinal);
        var endings = new ConcurrentDictionary<string, int>(StringComparer.Ordinal);
        var unobserved = new ConcurrentQueue<string>();
        void OnUnobserved(object? sender, UnobservedTaskExceptionEventArgs e)
            => unobserved.Enqueue($"unobserved task exception: {e.Exception.InnerException?.GetType().Name}: {e.Exception.InnerException?.Message} {WhereThrown(e.Exception.InnerException)}");

        TaskScheduler.UnobservedTaskException += OnUnobserved;
        using var buffers = new PooledBufferMonitor(captureStacks);
        var clock = Stopwatch.StartNew();
        var lastProgress = TimeSpan.Zero;
        var memory = new List<long>();
        var peakOutstanding = 0;
        try
        {
            for (var n = 0; n < sessions; n++)
            {
                var (i, role) = plan[n];
                var before = buffers.Outstanding;
                var (sessionFindings, ending) = await EngineFuzzSession.RunAsync(role, SessionSeed(seed, i));
                endings.AddOrUpdate($"{role}: {ending}", 1, static (_, c) => c + 1);
                // The engine returns its buffers on the thread pool once a stream or connection ends.
                if (!await EngineFuzzSession.Eventually(() => buffers.Outstanding <= before, TimeSpan.FromSeconds(2)))
                {
                    sessionFindings.Add($"{role}: leak: {buffers.Outstanding - before} pooled buffers rented in the session and never returned");
                    if (captureStacks)
                    {
                        progress?.WriteLine(string.Join("\n\n", buffers.OutstandingStacks()));
                    }
                }

                peakOutstanding = Math.Max(peakOutstanding, buffers.Outstanding);
                while (unobserved.TryDequeue(out var exception))
                {
                    sessionFindings.Add(exception);
                }

                foreach (var finding in sessionFindings)
                {
                    findings.AddOrUpdate(Signature(finding), (1, i), static (_, f) => (f.Count + 1, f.FirstSession));
                }

                if ((n + 1) % MemoryEvery == 0)
                {
                    memory.Add(MeasureMemory());
                }

                if (progress is not null && clock.Elapsed - lastProgress >= (progressEvery ?? TimeSpan.FromSeconds(10)))
                {
                    lastProgress = clock.Elapsed;
                    progress.WriteLine($"[{clock.Elapsed.TotalSeconds:0}s] {n + 1:N0} sessions, {findings.Count} distinct findings, managed heap {MeasureMemory() / 1024:N0} KiB");
                }
            }
        }
        finally
        {
            TaskScheduler.UnobservedTaskException -= OnUnobserved;
        }

        // Unobserved exceptions surface at finalization: collect once more.
        MeasureMemory();
        while (unobserved.TryDequeue(out var exception))
        {
            findings.AddOrUpdate(Signature(exception), (1, sessions - 1), static (_, f) => (f.Count + 1, f.FirstSession));
        }

        return new EngineFuzzReport(sessions, seed, clock.Elapsed, findings.ToDictionary(static f => f.Key, static f => f.Value), memory, peakOutstanding, endings.ToDictionary(static e => e.Key, static e => e.Value));
    }

    /// <summary>The seed of session <paramref name="index"/> (a fixed mix, unlike <see cref="HashCode"/>, which differs per process).</summary>
    public static int SessionSeed(int seed, int index) => (int)(((ulong)(uint)seed * 0x9E3779B97F4A7C15UL + (ulong)index * 0xBF58476D1CE4E5B9UL) >> 33);

    private static long MeasureMemory()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        return GC.GetTotalMemory(forceFullCollection: true);
    }

    /// <summary>The innermost WsRest frames of <paramref name="exception"/>'s stack, so a finding says where to look.</summary>
    private static string WhereThrown(Exception? exception)
        => exception?.StackTrace is { } stack
            ? "at " + string.Join(" < ", stack.Split('\n').Select(static l => l.Trim()).Where(static l => l.StartsWith("at WsRest", StringComparison.Ordinal)).Take(4).Select(static l => l[3..].Split(" in ")[0]))
            : string.Empty;

    /// <summary>A finding without its counts, so the same defect found in many sessions is one signature.</summary>
    private static string Signature(string finding) => System.Text.RegularExpressions.Regex.Replace(finding, "[0-9]+", "N");
}

/// <summary>What an engine fuzz run found.</summary>
/// <param name="Sessions">Sessions run (half with each role).</param>
/// <param name="Seed">The run's seed.</param>
/// <param name="Elapsed">Wall time.</param>
/// <param name="Findings">Each distinct finding (numbers replaced by N), how often it occurred and the first session that showed it.</param>
/// <param name="ManagedHeapSamples">Managed heap after a full GC, every 50 sessions.</param>
/// <param name="PeakOutstandingBuffers">The most pooled buffers outstanding after any session.</param>
/// <param name="Endings">How the sessions' connections ended, by role: the violation the live peer detected, or the ending chosen.</param>
public sealed record EngineFuzzReport(int Sessions, int Seed, TimeSpan Elapsed, IReadOnlyDictionary<string, (int Count, int FirstSession)> Findings, IReadOnlyList<long> ManagedHeapSamples, int PeakOutstandingBuffers, IReadOnlyDictionary<string, int> Endings)
{
    /// <summary>
    /// The managed heap's growth from the first sample to the last, when it exceeds 4 MiB and a quarter of the
    /// first sample; null when it did not grow (noise below that is GC timing, not a leak).
    /// </summary>
    public string? MemoryGrowth
    {
        get
        {
            if (ManagedHeapSamples.Count < 2)
            {
                return null;
            }

            var (first, last) = (ManagedHeapSamples[0], ManagedHeapSamples[^1]);
            return last - first > Math.Max(4L * 1024 * 1024, first / 4) ? $"managed heap grew from {first / 1024:N0} KiB to {last / 1024:N0} KiB over {Sessions:N0} sessions" : null;
        }
    }

    /// <summary>Prints the report.</summary>
    public void WriteTo(TextWriter output)
    {
        output.WriteLine($"Engine fuzz: {Sessions:N0} sessions (seed {Seed}) in {Elapsed.TotalSeconds:0.0} s; managed heap after GC: {string.Join(" → ", ManagedHeapSamples.Select(static b => $"{b / 1024:N0} KiB"))}; peak pooled buffers outstanding after a session: {PeakOutstandingBuffers}");
        output.WriteLine("Endings: " + string.Join(", ", Endings.OrderBy(static e => e.Key, StringComparer.Ordinal).Select(static e => $"{e.Key} ×{e.Value}")));
        foreach (var (signature, (count, first)) in Findings.OrderByDescending(static f => f.Value.Count))
        {
            output.WriteLine($"  FINDING ×{count} (first in session {first}, seed {EngineFuzzRunner.SessionSeed(Seed, first)}): {signature}");
        }

        if (MemoryGrowth is { } growth)
        {
            output.WriteLine($"  FINDING: {growth}");
        }

        output.WriteLine(Findings.Count == 0 && MemoryGrowth is null ? "RESULT: no failures" : "RESULT: failures found");
    }
}
