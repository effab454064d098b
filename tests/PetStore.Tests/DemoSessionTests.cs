using System.Net.Http.Json;
using PetStore.Api;
using PetStore.Demo;

namespace PetStore.Tests;

/// <summary>The demo's scripted session runs to completion against the in-process server.</summary>
[TestFixture]
public sealed class DemoSessionTests
{
    [Test]
    public async Task TheScriptedSessionCompletesAndReportsEveryStep()
    {
        using var timeout = TestTimeout.Create();
        using var output = new StringWriter();

        await DemoSession.RunAsync(output, PetStoreServer.WsRestEndpoint, timeout.Token);

        var transcript = output.ToString();
        using (Assert.EnterMultipleScope())
        {
            Assert.That(transcript, Does.Match(@"connection id [0-9a-f]{32}"));
            Assert.That(transcript, Does.Contain("201 Created #"));
            Assert.That(transcript, Does.Contain("(pending)"));
            Assert.That(transcript, Does.Contain("400 BadRequest, as expected"));
            Assert.That(transcript, Does.Contain("errors.name:"));
            Assert.That(transcript, Does.Contain("404 NotFound, as expected"));
            Assert.That(transcript, Does.Contain("204 No Content"));
            Assert.That(transcript, Does.Contain("20/20 OK"));
            Assert.That(transcript, Does.Not.Contain("FAILED"));
            Assert.That(transcript, Does.Match(DemoSession.CompletedMarker + @": 9 steps OK on connection [0-9a-f]{32}\."));
        }
    }

    [Test]
    public async Task TheScriptedSessionLeavesNoPetBehind()
    {
        using var timeout = TestTimeout.Create();
        using var http = new HttpClient { BaseAddress = PetStoreServer.BaseAddress, Timeout = TestTimeout.Value };
        var before = await http.GetFromJsonAsync("pets", PetStoreJsonContext.Default.IReadOnlyListPet, timeout.Token);

        await DemoSession.RunAsync(TextWriter.Null, PetStoreServer.WsRestEndpoint, timeout.Token);

        var after = await http.GetFromJsonAsync("pets", PetStoreJsonContext.Default.IReadOnlyListPet, timeout.Token);
        Assert.That(after!.Select(p => p.Id), Is.EqualTo(before!.Select(p => p.Id)));
    }

    [Test]
    public void TheSessionFailsWithAClearErrorWhenTheServerIsNotThere()
    {
        var wrongPath = new UriBuilder(PetStoreServer.WsRestEndpoint) { Path = "/not-wsrest" }.Uri;
        using var timeout = TestTimeout.Create();

        var error = Assert.ThrowsAsync<HttpRequestException>(() => DemoSession.RunAsync(TextWriter.Null, wrongPath, timeout.Token));
        Assert.That(error!.Message, Does.Contain("/not-wsrest"));
    }
}
