namespace PetStore.Tests;

/// <summary>
/// The demo's and the kiosk's command lines (System.CommandLine): <c>--help</c> exits 0 and describes every
/// option with its default; a bad argument is one line on stderr and exit code 2, nothing on stdout.
/// </summary>
[TestFixture]
public sealed class SampleCommandLineTests
{
    [Test]
    public async Task TheDemosHelpDescribesItsOptions()
    {
        var (exitCode, output, errors) = await RunAsync("PetStore.Demo", "--help");

        Assert.That(exitCode, Is.Zero, errors);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(output, Does.Match(@"--url <ws://host:port/wsrest> +The WsRest endpoint of a running PetStore API \[default: none"));
            Assert.That(output, Does.Match(@"--serve +After the sessions, keep the in-process API running"));
            Assert.That(output, Does.Contain("2 bad command line"));
        }
    }

    [TestCase("--url", "http://127.0.0.1:5080/wsrest", "--url must be an absolute ws:// or wss:// URI; got 'http://127.0.0.1:5080/wsrest'.")]
    [TestCase("--url", null, "Required argument missing for option: '--url'.")]
    [TestCase("--verbose", null, "Unrecognized command or argument '--verbose'.")]
    public async Task TheDemoRejectsABadArgumentOnOneLineWithExitCodeTwo(string option, string? value, string message)
    {
        var (exitCode, output, errors) = await RunAsync("PetStore.Demo", value is null ? [option] : [option, value]);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(exitCode, Is.EqualTo(2), errors);
            Assert.That(errors, Does.Contain(message));
            Assert.That(errors.TrimEnd(), Does.Not.Contain('\n'), "one line");
            Assert.That(output, Is.Empty);
        }
    }

    [Test]
    public async Task TheKiosksHelpShowsItsDefaultsAndABadNameExitsWithTwo()
    {
        var (helpExit, help, helpErrors) = await RunAsync("PetStore.Kiosk", "--help");

        Assert.That(helpExit, Is.Zero, helpErrors);
        Assert.That(help, Does.Contain("[default: ws://127.0.0.1:5080/wsrest]"));
        Assert.That(help, Does.Contain("[default: front-door]"));

        var (exitCode, output, errors) = await RunAsync("PetStore.Kiosk", "--name", new string('k', 101));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(exitCode, Is.EqualTo(2), errors);
            Assert.That(errors, Does.Contain("--name must be 1 to 100 characters"));
            Assert.That(errors.TrimEnd(), Does.Not.Contain('\n'), "one line");
            Assert.That(output, Is.Empty);
        }
    }

    private static async Task<(int ExitCode, string Output, string Errors)> RunAsync(string program, params string[] arguments)
    {
        using var timeout = TestTimeout.Create();
        using var process = DemoProcess.StartSample(program, arguments);
        var output = process.StandardOutput.ReadToEndAsync(timeout.Token);
        var errors = process.StandardError.ReadToEndAsync(timeout.Token);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            // The process is this test's own: a hung one does not outlive the failure.
            process.Kill(entireProcessTree: true);
            throw;
        }

        return (process.ExitCode, await output, await errors);
    }
}
