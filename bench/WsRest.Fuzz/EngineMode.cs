using System.Globalization;
using WsRest.Tests.Fuzz;

namespace WsRest.Fuzz;

/// <summary>
/// The stateful engine fuzzer's command, <c>engine</c> (docs/fuzzing.md, "The engine"): its own arguments, kept
/// apart from the codec fuzzer's so either can change its parsing alone. Exit code: 0 nothing found, 1 findings,
/// 2 bad arguments.
/// </summary>
internal static class EngineMode
{
    private const string Usage = "usage: WsRest.Fuzz engine [--sessions N (1000)] [--seed S (random, printed)] [--session I (repeat one session, with the stacks of leaked buffers)] [--stacks (print where leaked buffers were rented)]";

    public static async Task<int> RunAsync(string[] args)
    {
        var sessions = 1000;
        var seed = Environment.TickCount & int.MaxValue;
        int? single = null;
        var stacks = false;
        try
        {
            for (var i = 0; i < args.Length; i++)
            {
                string Value() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value");
                switch (args[i])
                {
                    case "--sessions":
                        sessions = int.Parse(Value(), NumberStyles.AllowThousands, CultureInfo.InvariantCulture);
                        break;
                    case "--seed":
                        seed = int.Parse(Value(), CultureInfo.InvariantCulture);
                        break;
                    case "--stacks":
                        stacks = true;
                        break;
                    case "--session":
                        single = int.Parse(Value(), CultureInfo.InvariantCulture);
                        break;
                    default:
                        throw new ArgumentException($"unknown argument {args[i]}");
                }
            }
        }
        catch (Exception exception) when (exception is ArgumentException or FormatException or OverflowException)
        {
            Console.Error.WriteLine(exception.Message);
            Console.Error.WriteLine(Usage);
            return 2;
        }

        Console.WriteLine($"# engine fuzz, seed {seed} (repeat with --seed {seed})");
        var report = single is { } index
            ? await EngineFuzzRunner.ReproduceAsync(seed, index, Console.Out)
            : await EngineFuzzRunner.RunAsync(sessions, seed, Console.Out, captureStacks: stacks);
        report.WriteTo(Console.Out);
        return report.Findings.Count == 0 && report.MemoryGrowth is null ? 0 : 1;
    }
}
