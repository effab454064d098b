using System.Buffers;
using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;
using WsRest.CommandLine;

namespace WsRest.Fuzz;

/// <summary>
/// The fuzzer's command line (System.CommandLine; docs/fuzzing.md): the long run by default, or a replay
/// of one input (<c>--input</c>, <c>--index</c>), or the seed corpus (<c>--seeds</c>). <c>--help</c> lists
/// every option with its default. To add a mode: a flag option here, added in <see cref="Create"/>, and a
/// branch in <see cref="Run"/> to the class that runs it.
/// </summary>
internal static class FuzzCommandLine
{
    private static readonly Option<long> s_inputs = new Option<long>("--inputs")
    {
        Description = "Inputs to run (thousands separators allowed: 10,000,000)",
        DefaultValueFactory = _ => 10_000_000,
        CustomParser = result => long.TryParse(result.Tokens.Single().Value, NumberStyles.AllowThousands, CultureInfo.InvariantCulture, out var n) && n >= 1 ? n : Fail<long>(result, "a positive whole number"),
    };

    private static readonly Option<ulong> s_seed = CommandLines.Number<ulong>("--seed", "Run seed; input i depends only on (seed, i)", 1, _ => true, string.Empty);
    private static readonly Option<int?> s_workers = CommandLines.OptionalNumber<int>("--workers", "Threads [default: the processor count]", n => n >= 1, "must be positive");
    private static readonly Option<double> s_hangTimeout = CommandLines.Number<double>("--hang-timeout", "Seconds before a running input counts as a hang", 10, s => s > 0, "must be positive");
    private static readonly Option<double> s_progress = CommandLines.Number<double>("--progress", "Seconds between progress lines", 10, s => s > 0, "must be positive");
    private static readonly Option<bool> s_reasons = new("--reasons") { Description = "Also list every rejection reason reached, with counts" };
    private static readonly Option<bool> s_noMinimize = new("--no-minimize") { Description = "Report findings without shrinking them" };

    private static readonly Option<byte[]> s_input = new("--input")
    {
        Description = "Mode: check one input given as hex, print its finding and minimized form",
        HelpName = "HEX",
        CustomParser = result => TryHex(result.Tokens.Single().Value) ?? Fail<byte[]>(result, "hexadecimal bytes"),
        Arity = ArgumentArity.ExactlyOne,
    };

    private static readonly Option<long?> s_index = CommandLines.OptionalNumber<long>("--index", "Mode: check input number I of --seed", i => i >= 0, "must not be negative");
    private static readonly Option<bool> s_seeds = new("--seeds") { Description = "Mode: print the seed corpus as hex" };

    public static RootCommand Create()
    {
        var root = new RootCommand("""
            WsRest codec fuzzer, long mode (docs/fuzzing.md): usage dotnet run -c Release --project bench/WsRest.Fuzz -- [options]
            The stateful engine fuzzer is the mode `engine`: dotnet run -c Release --project bench/WsRest.Fuzz -- engine --help
            Exit code: 0 nothing found, 1 findings, 2 bad command line.
            """);
        foreach (var option in new Option[] { s_inputs, s_seed, s_workers, s_hangTimeout, s_progress, s_reasons, s_noMinimize, s_input, s_index, s_seeds })
        {
            root.Options.Add(option);
        }

        root.Validators.Add(result =>
        {
            var modes = new Option[] { s_input, s_index, s_seeds }.Where(o => result.GetResult(o) is not null).Select(o => o.Name).ToList();
            if (modes.Count > 1)
            {
                result.AddError($"Choose one mode, not {string.Join(" and ", modes)}.");
            }
        });
        root.SetAction(Run);
        return root;
    }

    private static int Run(ParseResult parsed)
    {
        if (parsed.GetValue(s_seeds))
        {
            return CodecFuzzModes.PrintSeeds();
        }

        // An absent array option reads as an empty array, not null: ask whether it was given.
        if (parsed.GetResult(s_input) is not null)
        {
            return CodecFuzzModes.Replay(parsed.GetRequiredValue(s_input));
        }

        if (parsed.GetValue(s_index) is { } index)
        {
            return CodecFuzzModes.Replay(parsed.GetValue(s_seed), index);
        }

        return CodecFuzzModes.Run(new CodecFuzzArguments(
            parsed.GetValue(s_inputs),
            parsed.GetValue(s_seed),
            parsed.GetValue(s_workers) ?? Environment.ProcessorCount,
            TimeSpan.FromSeconds(parsed.GetValue(s_hangTimeout)),
            TimeSpan.FromSeconds(parsed.GetValue(s_progress)),
            parsed.GetValue(s_reasons),
            Minimize: !parsed.GetValue(s_noMinimize)));
    }

    private static byte[]? TryHex(string text)
    {
        var bytes = new byte[text.Length / 2];
        return text.Length % 2 == 0 && Convert.FromHexString(text, bytes, out _, out _) == OperationStatus.Done ? bytes : null;
    }

    private static T Fail<T>(ArgumentResult result, string expected)
    {
        result.AddError($"{((OptionResult)result.Parent!).Option.Name} needs {expected}; got '{result.Tokens.Single().Value}'.");
        return default!;
    }
}
