using System.Diagnostics;

namespace WsRest.Client.Tests;

/// <summary>
/// The three packages pack, and a fresh project consumes them from a local folder: runs
/// scripts/pack-check.sh (pack, inspect, build and run a consumer that makes one request over WsRest).
/// </summary>
[TestFixture]
public sealed class PackagingTests
{
    [Test]
    public async Task PackagesBuildAndAConsumerUsesThemFromALocalFolder()
    {
        var root = Docs.DocSnippetTests.RepositoryRoot();
        var start = new ProcessStartInfo("bash", [Path.Combine(root, "scripts", "pack-check.sh")])
        {
            WorkingDirectory = root,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(5));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }

        var log = await output + await errors;
        Assert.That(process.ExitCode, Is.Zero, log);
        Assert.That(log, Does.Contain("pack-check: OK"));
    }
}
