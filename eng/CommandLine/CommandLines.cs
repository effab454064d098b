using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;
using System.Numerics;

namespace WsRest.CommandLine;

/// <summary>
/// How this repository's programs (bench/WsRest.Load, bench/WsRest.Fuzz, samples/PetStore/PetStore.Demo)
/// run their System.CommandLine root command, linked into each: <c>--help</c> prints every option with
/// its default and exits 0; a bad command line prints ONE line to stderr and exits 2 (scripts tell it
/// from a run that failed, exit 1); otherwise the command's action runs.
/// </summary>
internal static class CommandLines
{
    /// <summary>The exit code of a command line that does not parse or validate.</summary>
    public const int BadArguments = 2;

    public static async Task<int> InvokeAsync(RootCommand root, string[] args)
    {
        var parsed = root.Parse(args);
        if (parsed.Errors.Count > 0)
        {
            // The first error only, on one line: what a log or a script's output needs; --help has the rest.
            await Console.Error.WriteLineAsync($"{root.Name}: {parsed.Errors[0].Message.ReplaceLineEndings(" ")} (--help lists the options)").ConfigureAwait(false);
            return BadArguments;
        }

        // The programs handle Ctrl+C themselves where it matters (the demo's --serve), so System.CommandLine
        // neither installs its own handler nor cuts a shutdown short.
        return await parsed.InvokeAsync(new InvocationConfiguration { ProcessTerminationTimeout = null }).ConfigureAwait(false);
    }

    /// <summary>
    /// An option taking one number, read with the invariant culture (<c>--duration 1.5</c> everywhere),
    /// that must satisfy <paramref name="valid"/> (<paramref name="rule"/> says how, in the error).
    /// </summary>
    public static Option<T> Number<T>(string name, string description, T defaultValue, Func<T, bool> valid, string rule)
        where T : struct, INumber<T>
    {
        var option = new Option<T>(name) { Description = description, DefaultValueFactory = _ => defaultValue };
        option.CustomParser = result => result.Tokens.Count == 0 ? defaultValue : ParseNumber(result, valid, rule) ?? default!;
        return option;
    }

    /// <summary>As <see cref="Number{T}"/>, with no default value (null when absent); the description says what absence means.</summary>
    public static Option<T?> OptionalNumber<T>(string name, string description, Func<T, bool> valid, string rule)
        where T : struct, INumber<T>
    {
        var option = new Option<T?>(name) { Description = description };
        option.CustomParser = result => result.Tokens.Count == 0 ? null : ParseNumber(result, valid, rule);
        return option;
    }

    /// <summary>
    /// An option taking a comma-separated list in one token (<c>--concurrency 1,16,64</c>), each item
    /// converted by <paramref name="item"/> (null for an item it does not accept). Absent, it has no value:
    /// the caller falls back to <paramref name="defaults"/>, which the help shows as written on a command line.
    /// </summary>
    public static Option<T[]> CommaList<T>(string name, string description, IEnumerable<string> defaults, Func<string, T?> item, string accepted)
        where T : struct =>
        new(name)
        {
            Description = $"{description} [default: {string.Join(',', defaults)}]",
            HelpName = accepted,
            Arity = ArgumentArity.ExactlyOne,
            CustomParser = result => ParseList(result, item, accepted),
        };

    /// <summary>An option taking an absolute <c>ws://</c> or <c>wss://</c> URI (a WsRest endpoint); null when absent.</summary>
    public static Option<Uri?> WebSocketUrl(string name, string description) =>
        new(name)
        {
            Description = description,
            HelpName = "ws://host:port/wsrest",
            CustomParser = result =>
            {
                var text = result.Tokens[0].Value;
                if (Uri.TryCreate(text, UriKind.Absolute, out var url) && url.Scheme is "ws" or "wss")
                {
                    return url;
                }

                result.AddError($"{OptionName(result)} must be an absolute ws:// or wss:// URI; got '{text}'.");
                return null;
            },
        };

    /// <summary>The list given on the command line, or <paramref name="defaults"/> when the option is absent.</summary>
    public static T[] ListOrDefault<T>(this ParseResult parsed, Option<T[]> option, T[] defaults) =>
        parsed.GetResult(option) is null ? defaults : parsed.GetRequiredValue(option);

    /// <summary>A list item that is an integer in <paramref name="min"/>..<paramref name="max"/>, or null.</summary>
    public static Func<string, int?> IntegerIn(int min, int max) =>
        text => int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) && value >= min && value <= max ? value : null;

    private static T? ParseNumber<T>(ArgumentResult result, Func<T, bool> valid, string rule)
        where T : struct, INumber<T>
    {
        var text = result.Tokens[0].Value;
        // Float, not the default's thousands separators: "1,5" is an error, not fifteen.
        if (!T.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value))
        {
            result.AddError($"{OptionName(result)} needs a number; got '{text}'.");
            return null;
        }

        if (!valid(value))
        {
            result.AddError($"{OptionName(result)} {rule}; got {text}.");
            return null;
        }

        return value;
    }

    private static T[] ParseList<T>(ArgumentResult result, Func<string, T?> item, string accepted)
        where T : struct
    {
        var values = new List<T>();
        foreach (var text in result.Tokens.SelectMany(t => t.Value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)))
        {
            if (item(text) is not { } value)
            {
                result.AddError($"'{text}' is not a valid value of {OptionName(result)}: use {accepted}.");
                return [];
            }

            values.Add(value);
        }

        if (values.Count == 0)
        {
            result.AddError($"{OptionName(result)} needs at least one value: {accepted}.");
        }

        return [.. values];
    }

    private static string OptionName(ArgumentResult result) => result.Parent is OptionResult option ? option.Option.Name : result.Argument.Name;
}
