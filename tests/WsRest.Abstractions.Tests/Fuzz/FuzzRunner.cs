using System.Diagnostics;
using System.Globalization;
using System.Text;
using WsRest.Protocol;

namespace WsRest.Abstractions.Tests.Fuzz;

/// <summary>What to run: how many inputs, from which seed, on how many threads.</summary>
public sealed class FuzzOptions
{
    /// <summary>Number of inputs; input i is generated from (<see cref="Seed"/>, i) alone.</summary>
    public long Inputs { get; init; } = 200_000;

    public ulong Seed { get; init; } = 1;

    /// <summary>Worker threads; the inputs and findings do not depend on it.</summary>
    public int Workers { get; init; } = Environment.ProcessorCount;

    /// <summary>An input still running after this long is reported as a hang.</summary>
    public TimeSpan HangTimeout { get; init; } = TimeSpan.FromSeconds(10);

    public TimeSpan ProgressInterval { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Called on the calling thread every <see cref="ProgressInterval"/>.</summary>
    public Action<FuzzProgress>? Progress { get; init; }

    /// <summary>Shrink each finding's input before reporting it.</summary>
    public bool Minimize { get; init; } = true;

    /// <summary>An extra check on every input (tests of the harness itself).</summary>
    public FuzzInputCheck? ExtraCheck { get; init; }
}

/// <summary>A progress snapshot.</summary>
public sealed record FuzzProgress(long InputsRun, long Inputs, int FailureSignatures, TimeSpan Elapsed);

/// <summary>One distinct finding: its signature, how often it occurred, and the first (lowest-index) input that showed it.</summary>
public sealed record FuzzFailure(string Signature, long Count, long Index, string InputHex, string MinimizedHex, string Detail);

/// <summary>Counts of one decoder over a run.</summary>
public sealed record FuzzStepCounts(FuzzStep Step, long Accepted, long Rejected);

/// <summary>The outcome of a run.</summary>
public sealed class FuzzReport
{
    public required ulong Seed { get; init; }

    public required long InputsRun { get; init; }

    public required long InputBytes { get; init; }

    public required TimeSpan Elapsed { get; init; }

    public required IReadOnlyList<FuzzFailure> Failures { get; init; }

    /// <summary>A worker did not return from an input within the hang timeout (it is one of <see cref="Failures"/>).</summary>
    public required bool Hung { get; init; }

    public required IReadOnlyList<FuzzStepCounts> Steps { get; init; }

    /// <summary>Distinct rejection reasons reached (decoder and normalized message) with counts.</summary>
    public required IReadOnlyDictionary<string, long> Reasons { get; init; }

    /// <summary>The longest time one input took, after each worker's first 1,000 inputs (JIT warm-up).</summary>
    public required TimeSpan SlowestInput { get; init; }

    public required string SlowestInputHex { get; init; }

    /// <summary>A human-readable summary; with <paramref name="reasons"/>, every rejection reason reached.</summary>
    public string Describe(bool reasons = false)
    {
        var text = new StringBuilder();
        var rate = InputsRun / Math.Max(Elapsed.TotalSeconds, 1e-9);
        text.Append(CultureInfo.InvariantCulture, $"inputs run: {InputsRun:N0} ({InputBytes:N0} bytes), seed {Seed}, time {Elapsed.TotalSeconds:F1} s ({rate:N0} inputs/s)\n");
        text.Append(CultureInfo.InvariantCulture, $"distinct failure signatures: {Failures.Count}{(Hung ? " (a hang)" : string.Empty)}\n");
        text.Append(CultureInfo.InvariantCulture, $"slowest input: {SlowestInput.TotalMilliseconds:F2} ms ({SlowestInputHex.Length / 2} bytes, after warm-up; includes GC pauses and preemption): {(SlowestInputHex.Length <= 256 ? SlowestInputHex : SlowestInputHex[..256] + "...")}\n");
        text.Append("decoder        accepted     rejected\n");
        foreach (var step in Steps)
        {
            text.Append(CultureInfo.InvariantCulture, $"{step.Step,-12} {step.Accepted,11:N0} {step.Rejected,12:N0}\n");
        }

        text.Append(CultureInfo.InvariantCulture, $"distinct rejection reasons reached: {Reasons.Count}\n");
        if (reasons)
        {
            foreach (var (reason, count) in Reasons.OrderBy(static r => r.Key, StringComparer.Ordinal))
            {
                text.Append(CultureInfo.InvariantCulture, $"  {count,12:N0}  {reason}\n");
            }
        }

        foreach (var failure in Failures)
        {
            text.Append(CultureInfo.InvariantCulture, $"FAILURE {failure.Signature}\n  occurrences: {failure.Count:N0}; first at input {failure.Index} (seed {Seed})\n  minimized input: {failure.MinimizedHex}\n  original input:  {failure.InputHex}\n  {failure.Detail.Replace("\n", "\n  ", StringComparison.Ordinal)}\n");
        }

        return text.ToString();
    }
}

/// <summary>
/// Runs the fuzz loop: generates inputs with <see cref="FuzzMutator"/>, feeds them to
/// <see cref="FuzzTarget"/> on several threads, watches for hangs, groups findings by signature and
/// minimizes one input per signature. Used by <c>CodecFuzzTests</c> (fixed seeds, a few seconds) and by
/// <c>bench/WsRest.Fuzz</c> (long runs); see docs/fuzzing.md.
/// </summary>
public static class FuzzRunner
{
    public static FuzzReport Run(FuzzOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfNegative(options.Inputs);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.Workers, 1);
        var workers = new Worker[options.Workers];
        var failures = new Dictionary<string, Finding>(StringComparer.Ordinal);
        var stop = new StopFlag();
        var clock = Stopwatch.StartNew();
        var threads = new Thread[workers.Length];
        for (var w = 0; w < workers.Length; w++)
        {
            var worker = workers[w] = new Worker(w, workers.Length, options, failures, stop);
            threads[w] = new Thread(worker.Run) { IsBackground = true, Name = $"fuzz worker {w}" };
            threads[w].Start();
        }

        var hung = false;
        var nextProgress = options.ProgressInterval;
        var tick = TimeSpan.FromMilliseconds(Math.Clamp(options.HangTimeout.TotalMilliseconds / 4, 10, 250));
        while (!threads.All(t => t.Join(0)))
        {
            threads.FirstOrDefault(static t => t.IsAlive)?.Join(tick);
            var now = Stopwatch.GetTimestamp();
            foreach (var worker in workers)
            {
                var started = Volatile.Read(ref worker.StartedAt);
                if (started != 0 && Stopwatch.GetElapsedTime(started, now) > options.HangTimeout && !hung)
                {
                    hung = true;
                    var input = Volatile.Read(ref worker.Current) ?? [];
                    lock (failures)
                    {
                        failures[$"{worker.Target.Step}: hang"] = new Finding(Volatile.Read(ref worker.Index), input, $"no return within {options.HangTimeout.TotalSeconds:F0} s");
                    }
                }
            }

            if (hung)
            {
                // A hung worker cannot be stopped; let the others finish their input and report.
                stop.Set();
                foreach (var thread in threads)
                {
                    thread.Join(options.HangTimeout);
                }

                break;
            }

            if (options.Progress is not null && clock.Elapsed >= nextProgress)
            {
                nextProgress += options.ProgressInterval;
                int signatures;
                lock (failures)
                {
                    signatures = failures.Count;
                }

                options.Progress(new FuzzProgress(workers.Sum(static w => Volatile.Read(ref w.Done)), options.Inputs, signatures, clock.Elapsed));
            }
        }

        var elapsed = clock.Elapsed;
        List<KeyValuePair<string, Finding>> found;
        lock (failures)
        {
            found = [.. failures.OrderBy(static f => f.Value.Index)];
        }

        var reported = found.Select(f => new FuzzFailure(
            f.Key,
            f.Value.Count,
            f.Value.Index,
            Convert.ToHexStringLower(f.Value.Input),
            options.Minimize && !f.Key.EndsWith(": hang", StringComparison.Ordinal) ? Convert.ToHexStringLower(Minimize(f.Value.Input, f.Key, options.ExtraCheck)) : "(not minimized)",
            Describe(f.Value.Detail))).ToList();
        var steps = Enum.GetValues<FuzzStep>()
            .Select(s => new FuzzStepCounts(s, workers.Sum(w => w.Target.Accepted[(int)s]), workers.Sum(w => w.Target.Rejected[(int)s])))
            .ToList();
        var reasons = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var worker in workers.Where(static w => !w.Busy))
        {
            foreach (var (reason, count) in worker.Target.Reasons)
            {
                reasons[reason] = reasons.GetValueOrDefault(reason) + count;
            }
        }

        var slowest = workers.MaxBy(static w => w.SlowestTicks)!;
        return new FuzzReport
        {
            Seed = options.Seed,
            InputsRun = workers.Sum(static w => Volatile.Read(ref w.Done)),
            InputBytes = workers.Sum(static w => w.Bytes),
            Elapsed = elapsed,
            Failures = reported,
            Hung = hung,
            Steps = steps,
            Reasons = reasons,
            SlowestInput = Stopwatch.GetElapsedTime(0, slowest.SlowestTicks),
            SlowestInputHex = Convert.ToHexStringLower(slowest.SlowestInput ?? []),
        };
    }

    /// <summary>An invariant's message says it all; an unexpected exception needs its stack.</summary>
    private static string Describe(object detail) => detail switch
    {
        FuzzInvariantException invariant => invariant.Message,
        _ => detail.ToString() ?? string.Empty,
    };

    /// <summary>Runs one input through the target; returns its finding's signature and detail, or null when it passes.</summary>
    public static (string Signature, string Detail)? Check(byte[] input, FuzzInputCheck? extraCheck = null)
    {
        ArgumentNullException.ThrowIfNull(input);
        var target = new FuzzTarget { ExtraCheck = extraCheck };
        try
        {
            target.Run(input);
            return null;
        }
        catch (Exception ex)
        {
            return (FuzzTarget.Signature(target.Step, ex), Describe(ex));
        }
    }

    /// <summary>The input number <paramref name="index"/> of a run with <paramref name="seed"/>.</summary>
    public static byte[] Generate(ulong seed, long index) => new FuzzMutator(FuzzCorpus.Seeds).Generate(seed, index);

    /// <summary>The seed corpus (valid messages), as hex.</summary>
    public static IReadOnlyList<string> SeedCorpusHex() => [.. FuzzCorpus.Seeds.Select(static s => Convert.ToHexStringLower(s))];

    /// <summary>Shrinks <paramref name="input"/> while it still fails with <paramref name="signature"/>.</summary>
    public static byte[] Minimize(byte[] input, string signature, FuzzInputCheck? extraCheck = null)
        => FuzzMinimizer.Minimize(input, candidate => Check(candidate, extraCheck)?.Signature == signature);

    private sealed class StopFlag
    {
        private volatile bool _set;

        public bool IsSet => _set;

        public void Set() => _set = true;
    }

    private sealed class Finding(long index, byte[] input, object detail)
    {
        public long Index { get; set; } = index;

        public byte[] Input { get; set; } = input;

        /// <summary>The exception (formatted only when reported: stack traces are slow to format) or a text.</summary>
        public object Detail { get; set; } = detail;

        public long Count { get; set; } = 1;
    }

    private sealed class Worker(int number, int count, FuzzOptions options, Dictionary<string, Finding> failures, StopFlag stop)
    {
        /// <summary>Each worker's first inputs pay for JIT compilation; they do not count for the slowest input.</summary>
        public const int WarmUp = 1000;

        public long StartedAt;
        public long Done;
        public long Index;
        public byte[]? Current;
        public long Bytes;
        public long SlowestTicks;
        public byte[]? SlowestInput;
        public volatile bool Busy;

        public FuzzTarget Target { get; } = new() { ExtraCheck = options.ExtraCheck };

        public void Run()
        {
            var mutator = new FuzzMutator(FuzzCorpus.Seeds);
            for (long i = number; i < options.Inputs && !stop.IsSet; i += count)
            {
                var input = mutator.Generate(options.Seed, i);
                Volatile.Write(ref Current, input);
                Volatile.Write(ref Index, i);
                var started = Stopwatch.GetTimestamp();
                Volatile.Write(ref StartedAt, started);
                Busy = true;
                try
                {
                    Target.Run(input);
                }
                catch (Exception ex)
                {
                    Record(FuzzTarget.Signature(Target.Step, ex), i, input, ex);
                }

                Busy = false;
                var ticks = Stopwatch.GetTimestamp() - started;
                Volatile.Write(ref StartedAt, 0);
                if (ticks > SlowestTicks && i >= WarmUp * count)
                {
                    SlowestTicks = ticks;
                    SlowestInput = input;
                }

                Bytes += input.Length;
                Volatile.Write(ref Done, Done + 1);
            }
        }

        private void Record(string signature, long index, byte[] input, Exception exception)
        {
            lock (failures)
            {
                if (failures.TryGetValue(signature, out var finding))
                {
                    finding.Count++;
                    if (index < finding.Index)
                    {
                        (finding.Index, finding.Input, finding.Detail) = (index, input, exception);
                    }
                }
                else
                {
                    failures.Add(signature, new Finding(index, input, exception));
                }
            }
        }
    }
}

/// <summary>
/// Greedy input shrinking that keeps a finding: drops whole frames and trailing bytes, shrinks frame
/// payloads while re-framing them with the right length, then drops raw chunks and zeroes bytes.
/// </summary>
internal static class FuzzMinimizer
{
    private const int MaxAttempts = 20_000;

    public static byte[] Minimize(byte[] input, Func<byte[], bool> stillFails)
    {
        var attempts = 0;
        bool Keeps(byte[] candidate) => ++attempts <= MaxAttempts && stillFails(candidate);

        var current = input;
        bool changed;
        do
        {
            changed = ShrinkFrames(ref current, Keeps);
            changed |= RemoveChunks(ref current, Keeps);

            // Zero what is left: a zero often ends a block or list early, which lets the next round drop more.
            for (var i = 0; i < current.Length && attempts < MaxAttempts; i++)
            {
                if (current[i] != 0)
                {
                    var candidate = (byte[])current.Clone();
                    candidate[i] = 0;
                    if (Keeps(candidate))
                    {
                        current = candidate;
                        changed = true;
                    }
                }
            }
        }
        while (changed && attempts < MaxAttempts);

        return current;
    }

    /// <summary>Removes chunks of halving size; small inputs are tried at every offset, not just aligned ones.</summary>
    private static bool RemoveChunks(ref byte[] data, Func<byte[], bool> keeps)
    {
        var changed = false;
        for (var chunk = Math.Max(1, data.Length / 2); ; chunk /= 2)
        {
            for (var at = 0; at + chunk <= data.Length;)
            {
                var candidate = Remove(data, at, chunk);
                if (keeps(candidate))
                {
                    data = candidate;
                    changed = true;
                }
                else
                {
                    at += data.Length <= 512 ? 1 : chunk;
                }
            }

            if (chunk <= 1)
            {
                return changed;
            }
        }
    }

    private static bool ShrinkFrames(ref byte[] current, Func<byte[], bool> keeps)
    {
        var frames = new List<(byte Type, byte Flags, ulong StreamId, byte[] Payload)>();
        var offset = 0;
        while (offset < current.Length && FrameCodec.TryReadFrame(current.AsSpan(offset), out var frame, out var consumed))
        {
            frames.Add(((byte)frame.Type, (byte)frame.Flags, frame.StreamId, frame.Payload.ToArray()));
            offset += consumed;
        }

        var trailing = current[offset..];
        if (frames.Count == 0)
        {
            return false;
        }

        // Canonical envelopes first; give up if the finding depends on the original envelope bytes.
        var rebuilt = Build(frames, trailing);
        var changed = false;
        if (!rebuilt.AsSpan().SequenceEqual(current))
        {
            if (!keeps(rebuilt))
            {
                return false;
            }

            current = rebuilt;
            changed = true;
        }

        for (var i = frames.Count - 1; i >= 0 && frames.Count > 1; i--)
        {
            var without = frames.Where((_, j) => j != i).ToList();
            var candidate = Build(without, trailing);
            if (keeps(candidate))
            {
                frames = without;
                current = candidate;
                changed = true;
            }
        }

        if (trailing.Length > 0 && keeps(Build(frames, [])))
        {
            trailing = [];
            current = Build(frames, trailing);
            changed = true;
        }

        for (var i = 0; i < frames.Count; i++)
        {
            // Shrink this frame's payload, re-framing it with the right length each time.
            var index = i;
            var payload = frames[i].Payload;
            var others = frames;
            var trailer = trailing;
            if (RemoveChunks(ref payload, candidate => keeps(Build(others.Select((f, j) => j == index ? f with { Payload = candidate } : f).ToList(), trailer))))
            {
                frames = frames.Select((f, j) => j == index ? f with { Payload = payload } : f).ToList();
                current = Build(frames, trailing);
                changed = true;
            }
        }

        return changed;
    }

    private static byte[] Build(List<(byte Type, byte Flags, ulong StreamId, byte[] Payload)> frames, byte[] trailing)
    {
        var writer = new System.Buffers.ArrayBufferWriter<byte>();
        foreach (var (type, flags, streamId, payload) in frames)
        {
            FrameCodec.WriteFrame(writer, (FrameType)type, (FrameFlags)flags, streamId, payload);
        }

        System.Buffers.BuffersExtensions.Write(writer, trailing);
        return writer.WrittenSpan.ToArray();
    }

    private static byte[] Remove(byte[] data, int at, int count) => [.. data.AsSpan(0, at), .. data.AsSpan(at + count)];
}
