using PetStore.Demo;

namespace PetStore.Tests;

/// <summary>The demo's kiosk part runs to completion against the in-process server, and the demo program runs all three parts.</summary>
[TestFixture]
public sealed class KioskDemoSessionTests
{
    [Test]
    public async Task TheKioskSessionCompletesAndReportsEveryStep()
    {
        using var timeout = TestTimeout.Create();
        using var output = new StringWriter();

        await KioskDemoSession.RunAsync(output, PetStoreServer.WsRestEndpoint, timeout.Token);

        AssertKioskTranscript(output.ToString());
    }

    [Test]
    public async Task TheKioskSessionLeavesNoKioskBehind()
    {
        using var timeout = TestTimeout.Create();
        using var http = new HttpClient { BaseAddress = PetStoreServer.BaseAddress, Timeout = TestTimeout.Value };
        var before = await KioskListing.GetAsync(http, timeout.Token);

        await KioskDemoSession.RunAsync(TextWriter.Null, PetStoreServer.WsRestEndpoint, timeout.Token);

        var after = await KioskListing.GetAsync(http, timeout.Token);
        Assert.That(after.Select(k => k.Id), Is.EqualTo(before.Select(k => k.Id)));
    }

    [Test]
    public async Task TheDemoProgramRunsThePetsTheKioskAndThenTheEventsSessionAndExitsZero()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        using var process = DemoProcess.Start();
        var stdout = process.StandardOutput.ReadToEndAsync(timeout.Token);
        var stderr = process.StandardError.ReadToEndAsync(timeout.Token);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail("The demo did not finish within 2 minutes.");
        }

        var transcript = await stdout;
        Assert.That(process.ExitCode, Is.Zero, $"stderr: {await stderr}{Environment.NewLine}stdout:{Environment.NewLine}{transcript}");
        Assert.That(transcript, Does.Match(DemoSession.CompletedMarker + @": 9 steps OK on connection [0-9a-f]{32}\."));
        Assert.That(transcript, Does.Match(DemoWebPage.UrlMarker + @": http://127\.0\.0\.1:\d+/"), "the demo names its web page");
        Assert.That(transcript, Does.Not.Contain(DemoWebPage.ServingMarker), "without --serve the demo exits");
        Assert.That(transcript.IndexOf(DemoSession.CompletedMarker + ":", StringComparison.Ordinal), Is.LessThan(transcript.IndexOf("[K1]", StringComparison.Ordinal)), "the kiosk part runs after the pets part");
        Assert.That(transcript.IndexOf(KioskDemoSession.CompletedMarker + ":", StringComparison.Ordinal), Is.LessThan(transcript.IndexOf("[P1]", StringComparison.Ordinal)), "the events part runs after the kiosk part");
        AssertKioskTranscript(transcript);
        EventsDemoSessionTests.AssertEventsTranscript(transcript);
    }

    private static void AssertKioskTranscript(string transcript)
    {
        using (Assert.EnterMultipleScope())
        {
            Assert.That(transcript, Does.Match(@"\[K1\] start kiosk ""front-door"" in-process .* -> connected, connection id [0-9a-f]{32}"));
            Assert.That(transcript, Does.Match(@"\[K2\] GET /kiosks \(until ""front-door"" is listed\) -> 200 OK, \d+ kiosks?"));
            Assert.That(transcript, Does.Match(@"[0-9a-f]{32} ""front-door"" connected at"));
            Assert.That(transcript, Does.Match(@"\[K3\] GET /kiosks/[0-9a-f]{32}/status \(the server calls the kiosk\) -> 200 OK"));
            Assert.That(transcript, Does.Contain("name=\"front-door\" screen=\"Welcome to the PetStore!\" servedBy=\"petstore\""));
            Assert.That(transcript, Does.Match(@"\[K4\] PUT /kiosks/[0-9a-f]{32}/display .* -> 204 No Content"));
            Assert.That(transcript, Does.Contain("screen=\"Rex is looking for a home: ask inside!\" servedBy=\"petstore\""));
            Assert.That(transcript, Does.Match(@"\[K6\] PUT /kiosks/[0-9a-f]{32}/display \(201 characters, too long for the kiosk\) -> 400 BadRequest, as expected"));
            Assert.That(transcript, Does.Contain("errors.text: The text must be at most 200 characters long."));
            Assert.That(transcript, Does.Contain("[K7] stop kiosk \"front-door\" -> stopped"));
            Assert.That(transcript, Does.Match(@"\[K8\] GET /kiosks/[0-9a-f]{32}/status \(the kiosk is gone\) -> 404 NotFound, as expected"));
            Assert.That(transcript, Does.Contain("title=\"Kiosk not found\" status=404"));
            Assert.That(transcript, Does.Match(@"\[K9\] GET /kiosks \(until ""front-door"" is no longer listed\) -> 200 OK"));
            Assert.That(transcript, Does.Not.Contain("FAILED"));
            Assert.That(transcript, Does.Match(KioskDemoSession.CompletedMarker + @": 9 steps OK on connection [0-9a-f]{32}\."));
        }
    }
}
