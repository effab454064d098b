using System.Globalization;
using WsRest.Abstractions.Tests.Fuzz;

namespace WsRest.Fuzz;

/// <summary>The codec harness's modes: the long run, one input's replay, the seed corpus. Exit code: 0 nothing found, 1 findings.</summary>
internal static class CodecFuzzModes
{
    public static int PrintSeeds()
    {
        foreach (var hex in FuzzRunner.SeedCorpusHex())
        {
            Console.WriteLine(hex);
        }

        return 0;
    }

    /// <summary>Replays input number <paramref name="index"/> of run <paramref name="seed"/>.</summary>
    public static int Replay(ulong seed, long index) => Replay(FuzzRunner.Generate(seed, index));

    public static int Replay(byte[] input)
    {
        Console.WriteLine($"input: {Convert.ToHexStringLower(input)}");
        var finding = FuzzRunner.Check(input);
        if (finding is not { } found)
        {
            Console.WriteLine("no finding");
            return 0;
        }

        Console.WriteLine($"FAILURE {found.Signature}");
        Console.WriteLine($"minimized: {Convert.ToHexStringLower(FuzzRunner.Minimize(input, found.Signature))}");
        Console.WriteLine(found.Detail);
        return 1;
    }

    public static int Run(CodecFuzzArguments arguments)
    {
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"WsRest codec fuzzer: {arguments.Inputs:N0} inputs, seed {arguments.Seed}, {arguments.Workers} workers, hang timeout {arguments.HangTimeout.TotalSeconds} s"));
        var report = FuzzRunner.Run(new FuzzOptions
        {
            Inputs = arguments.Inputs,
            Seed = arguments.Seed,
            Workers = arguments.Workers,
            HangTimeout = arguments.HangTimeout,
            ProgressInterval = arguments.ProgressInterval,
            Minimize = arguments.Minimize,
            Progress = static p => Console.WriteLine(string.Create(
                CultureInfo.InvariantCulture,
                $"[{p.Elapsed.TotalSeconds,7:F1} s] {p.InputsRun,14:N0} / {p.Inputs:N0} inputs ({100.0 * p.InputsRun / Math.Max(p.Inputs, 1),5:F1}%), {p.InputsRun / Math.Max(p.Elapsed.TotalSeconds, 1e-9),9:N0} inputs/s, {p.FailureSignatures} failure signatures")),
        });
        Console.WriteLine();
        Console.Write(report.Describe(arguments.Reasons));
        Console.WriteLine(report.Failures.Count == 0 ? "RESULT: no failures" : $"RESULT: {report.Failures.Count} distinct failure signatures");
        return report.Failures.Count == 0 ? 0 : 1;
    }
}
