using WsRest.Soak;

// The soak command (docs/resilience.md, "Soak"). Exit code: 0 every invariant held, 1 one broke, 2 bad arguments.
SoakOptions options;
try
{
    options = SoakOptions.Parse(args);
}
catch (Exception exception) when (exception is ArgumentException or FormatException or OverflowException)
{
    Console.Error.WriteLine(exception.Message);
    Console.Error.WriteLine(SoakOptions.Usage);
    return 2;
}

Console.WriteLine($"# WsRest.Soak — seed {options.Seed} (repeat with --seed {options.Seed}); load average {LoadAverage()}");
var result = await SoakRun.RunAsync(options, Console.Out);
var broken = result.Report(Console.Out);
return broken.Count == 0 ? 0 : 1;

static string LoadAverage() => File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Trim() : "unknown";
