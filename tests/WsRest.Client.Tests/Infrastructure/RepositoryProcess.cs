using System.Diagnostics;

namespace WsRest.Client.Tests.Infrastructure;

/// <summary>Runs a command from the repository root and returns its exit code and output (stdout and stderr).</summary>
internal static class RepositoryProcess
{
    public static async Task<(int ExitCode, string Output)> RunAsync(string fileName, IEnumerable<string> arguments, TimeSpan timeout)
    {
        var start = new ProcessStartInfo(fileName, arguments)
        {
            WorkingDirectory = Docs.DocSnippetTests.RepositoryRoot(),
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }

        return (process.ExitCode, await output + await errors);
    }
}
