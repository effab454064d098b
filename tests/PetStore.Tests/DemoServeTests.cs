using System.Diagnostics;
using System.Text.RegularExpressions;
using PetStore.Demo;

namespace PetStore.Tests;

/// <summary><c>PetStore.Demo --serve</c>: after its sessions the in-process API keeps serving its web page.</summary>
[TestFixture]
public sealed partial class DemoServeTests
{
    [Test]
    public async Task WithServeTheDemoKeepsServingItsWebPageAfterTheSessions()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        using var process = DemoProcess.Start("--serve");
        var stderr = process.StandardError.ReadToEndAsync(timeout.Token);
        try
        {
            var transcript = new List<string>();
            Uri? page = null;
            while (page is null && await process.StandardOutput.ReadLineAsync(timeout.Token) is { } line)
            {
                transcript.Add(line);
                if (ServingLine().Match(line) is { Success: true } match)
                {
                    page = new Uri(match.Groups["url"].Value);
                }
            }

            Assert.That(page, Is.Not.Null, $"no '{DemoWebPage.ServingMarker}' line; stderr: {await ReadAfterExitAsync(process, stderr)}{Environment.NewLine}stdout:{Environment.NewLine}{string.Join(Environment.NewLine, transcript)}");
            Assert.That(transcript, Has.Some.EqualTo($"{DemoWebPage.UrlMarker}: {page}"), "the URL printed at the start is the one served");
            Assert.That(transcript, Has.Some.StartsWith(EventsDemoSession.CompletedMarker), "the sessions ran first");

            using var http = new HttpClient { BaseAddress = page, Timeout = TestTimeout.Value };
            using var index = await http.GetAsync("/", timeout.Token);
            using var bundle = await http.GetAsync("/lib/wsrest.browser.js", timeout.Token);
            using (Assert.EnterMultipleScope())
            {
                Assert.That((int)index.StatusCode, Is.EqualTo(200), "the page");
                Assert.That(await index.Content.ReadAsStringAsync(timeout.Token), Does.Contain("<title>PetStore"));
                Assert.That((int)bundle.StatusCode, Is.EqualTo(200), "the client's bundle");
                Assert.That(bundle.Content.Headers.ContentType?.MediaType, Is.EqualTo("text/javascript"));
                Assert.That(process.HasExited, Is.False, "--serve keeps the server running");
            }
        }
        finally
        {
            // The process is this test's own; it serves until killed (a person presses Ctrl+C).
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync(CancellationToken.None);
        }
    }

    [Test]
    public async Task ServeWithUrlIsABadCommandLine()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        using var process = DemoProcess.Start("--serve", "--url", "ws://127.0.0.1:1/wsrest");
        var stderr = process.StandardError.ReadToEndAsync(timeout.Token);
        await process.WaitForExitAsync(timeout.Token);

        Assert.That(process.ExitCode, Is.EqualTo(2));
        Assert.That(await stderr, Does.Contain("--serve"));
    }

    private static async Task<string> ReadAfterExitAsync(Process process, Task<string> stderr)
        => process.HasExited ? await stderr : "(still running)";

    [GeneratedRegex(@"^Serving the PetStore web page at (?<url>http://\S+/):")]
    private static partial Regex ServingLine();
}
