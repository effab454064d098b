using System.Globalization;
using WsRest.Abstractions.Tests.Fuzz;

// Long mode of the codec fuzz harness (docs/fuzzing.md). Exit code: 0 nothing found, 1 findings, 2 bad arguments.
if (args is ["engine", ..])
{
    // The stateful engine fuzzer, with arguments of its own (EngineMode.cs).
    return await WsRest.Fuzz.EngineMode.RunAsync(args[1..]);
}

var inputs = 10_000_000L;
var seed = 1UL;
var workers = Environment.ProcessorCount;
var hangSeconds = 10.0;
var progressSeconds = 10.0;
var reasons = false;
var minimize = true;
string? single = null;
long? index = null;
var printSeeds = false;

try
{
    for (var i = 0; i < args.Length; i++)
    {
        string Value() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value");
        switch (args[i])
        {
            case "--inputs":
                inputs = long.Parse(Value(), NumberStyles.AllowThousands, CultureInfo.InvariantCulture);
                break;
            case "--seed":
                seed = ulong.Parse(Value(), CultureInfo.InvariantCulture);
                break;
            case "--workers":
                workers = int.Parse(Value(), CultureInfo.InvariantCulture);
                break;
            case "--hang-timeout":
                hangSeconds = double.Parse(Value(), CultureInfo.InvariantCulture);
                break;
            case "--progress":
                progressSeconds = double.Parse(Value(), CultureInfo.InvariantCulture);
                break;
            case "--reasons":
                reasons = true;
                break;
            case "--no-minimize":
                minimize = false;
                break;
            case "--input":
                single = Value();
                _ = Convert.FromHexString(single);
                break;
            case "--index":
                index = long.Parse(Value(), CultureInfo.InvariantCulture);
                break;
            case "--seeds":
                printSeeds = true;
                break;
            case "-h" or "--help":
                PrintUsage();
                return 0;
            default:
                throw new ArgumentException($"unknown argument {args[i]}");
        }
    }
}
catch (Exception ex) when (ex is ArgumentException or FormatException or OverflowException)
{
    Console.Error.WriteLine(ex.Message);
    PrintUsage();
    return 2;
}

if (printSeeds)
{
    foreach (var hex in FuzzRunner.SeedCorpusHex())
    {
        Console.WriteLine(hex);
    }

    return 0;
}

if (single is not null || index is not null)
{
    // Replay one input: given as hex, or as input number `--index` of run `--seed`.
    var input = single is not null ? Convert.FromHexString(single) : FuzzRunner.Generate(seed, index!.Value);
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

Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"WsRest codec fuzzer: {inputs:N0} inputs, seed {seed}, {workers} workers, hang timeout {hangSeconds} s"));
var report = FuzzRunner.Run(new FuzzOptions
{
    Inputs = inputs,
    Seed = seed,
    Workers = workers,
    HangTimeout = TimeSpan.FromSeconds(hangSeconds),
    ProgressInterval = TimeSpan.FromSeconds(progressSeconds),
    Minimize = minimize,
    Progress = static p => Console.WriteLine(string.Create(
        CultureInfo.InvariantCulture,
        $"[{p.Elapsed.TotalSeconds,7:F1} s] {p.InputsRun,14:N0} / {p.Inputs:N0} inputs ({100.0 * p.InputsRun / Math.Max(p.Inputs, 1),5:F1}%), {p.InputsRun / Math.Max(p.Elapsed.TotalSeconds, 1e-9),9:N0} inputs/s, {p.FailureSignatures} failure signatures")),
});
Console.WriteLine();
Console.Write(report.Describe(reasons));
Console.WriteLine(report.Failures.Count == 0 ? "RESULT: no failures" : $"RESULT: {report.Failures.Count} distinct failure signatures");
return report.Failures.Count == 0 ? 0 : 1;

static void PrintUsage() => Console.WriteLine("""
    usage: dotnet run -c Release --project bench/WsRest.Fuzz -- [options]
      --inputs N         inputs to run (default 10000000)
      --seed S           run seed (default 1); input i depends only on (S, i)
      --workers W        threads (default: processor count)
      --hang-timeout T   seconds before a running input counts as a hang (default 10)
      --progress T       seconds between progress lines (default 10)
      --reasons          also list every rejection reason reached, with counts
      --no-minimize      report findings without shrinking them
      --input HEX        check one input, print its finding and minimized form
      --index I          check input number I of --seed
      --seeds            print the seed corpus as hex
    """);
