using System.Diagnostics;

namespace WsRest.Client.Tests.Infrastructure;

/// <summary>Runs a command from the repository root and returns its exit code and output (stdout and stderr).</summary>
internal static class RepositoryProcess
{
    /// <summary>
    /// Under the test command's hang limit (<c>--blame-hang-timeout 15m</c>): a program that does not
    /// finish fails its own test with the command in the message, instead of aborting the whole run. Long
    /// enough for a pack and a consumer's build on a loaded 2-core machine (over 5 minutes there).
    /// </summary>
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromMinutes(12);

    /// <summary>
    /// A program under bench/ (WsRest.Load, WsRest.Fuzz, WsRest.Soak) from its own output directory, in
    /// this test assembly's configuration. This project references them, so building the tests built them:
    /// nothing is compiled while a test runs (a build under a loaded machine's test run can outlast any timeout).
    /// </summary>
    public static Task<(int ExitCode, string Output)> RunBenchAsync(string name, IEnumerable<string> arguments, TimeSpan? timeout = null) =>
        RunAsync("dotnet", [BenchProgramPath(name), .. arguments], timeout ?? DefaultTimeout);

    /// <summary>The path of a bench program's DLL built beside this test assembly (bin/&lt;configuration&gt;/&lt;tfm&gt;).</summary>
    public static string BenchProgramPath(string name)
    {
        var tfm = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        var path = Path.Combine(Docs.DocSnippetTests.RepositoryRoot(), "bench", name, "bin", tfm.Parent!.Name, tfm.Name, $"{name}.dll");
        Assert.That(File.Exists(path), Is.True, $"{path} is missing; WsRest.Client.Tests references bench/{name}, so building the tests builds it there.");
        return path;
    }

    public static async Task<(int ExitCode, string Output)> RunAsync(string fileName, IEnumerable<string> arguments, TimeSpan timeout)
    {
        var start = new ProcessStartInfo(fileName, arguments)
        {
            WorkingDirectory = Docs.DocSnippetTests.RepositoryRoot(),
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var process = Process.Start(start)!;
        using var cts = new CancellationTokenSource(timeout);
        var output = process.StandardOutput.ReadToEndAsync(cts.Token);
        var errors = process.StandardError.ReadToEndAsync(cts.Token);
        try
        {
            await process.WaitForExitAsync(cts.Token);
            return (process.ExitCode, await output + await errors);
        }
        catch (OperationCanceledException) when (cts.IsCancellationRequested)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"'{fileName} {string.Join(' ', start.ArgumentList)}' did not finish within {timeout}.");
        }
    }
}
