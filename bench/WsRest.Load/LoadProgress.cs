using WsRest.CommandLine;

namespace WsRest.Load;

/// <summary>
/// The run's status line on an interactive terminal (scenario, transport, round; the elapsed time is
/// added): nothing at all when output is redirected, so logs and docs/benchmarks.md's tables stay as they are.
/// </summary>
internal static class LoadProgress
{
    public static ConsoleProgress? Line { get; set; }

    public static void Report(string status) => Line?.Report(status);
}
