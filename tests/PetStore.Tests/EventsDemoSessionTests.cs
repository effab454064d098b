using System.Net.Http.Json;
using System.Text.RegularExpressions;
using PetStore.Api;
using PetStore.Demo;

namespace PetStore.Tests;

/// <summary>The demo's events part (pub/sub) runs to completion against the in-process server, with the same transcript every time apart from ids and timings.</summary>
[TestFixture]
public sealed partial class EventsDemoSessionTests
{
    /// <summary>The whole transcript, with connection ids, sequence and pet numbers, and timings replaced (see <see cref="Normalize"/>).</summary>
    private const string ExpectedTranscript = """
        Events (pub/sub on the WsRest socket): connected to <endpoint>; watcher connection id <id>, changer (the generated client) connection id <id>
        [P1] watcher: subscribe to pets/created, pets/updated, pets/deleted -> 3 subscriptions live (<ms>)
        [P2] POST /pets {name: "Bubbles", tags: [fish]} ...
              [E] pets/created #<n>: #<n> Bubbles (available) [fish]
        [P2] -> 201 Created #<n> Bubbles (available) [fish]; the watcher got pets/created #<n> (<ms>)
        [P3] PUT /pets/<n> {status: pending} ...
              [E] pets/updated #<n>: #<n> Bubbles (pending) [fish]
        [P3] -> 200 OK #<n> Bubbles (pending) [fish]; the watcher got pets/updated #<n> (<ms>)
        [P4] DELETE /pets/<n> ...
              [E] pets/deleted #<n>: pet #<n>
        [P4] -> 204 No Content; the watcher got pets/deleted #<n> (<ms>)
        [P5] watcher: wait until it has seen all 3 events for #<n> -> 3 of 3: pets/created #<n>, pets/updated #<n>, pets/deleted #<n> (<ms>)
        [P6] watcher: unsubscribe -> 3 subscriptions closed (<ms>)
        Events demo completed: 6 steps OK; the watcher received 3 events.

        """;

    [Test]
    public async Task TheEventsSessionPrintsTheSameTranscriptApartFromIdsAndTimings()
    {
        using var timeout = TestTimeout.Create();
        using var output = new StringWriter();

        await EventsDemoSession.RunAsync(output, PetStoreServer.WsRestEndpoint, timeout.Token);

        Assert.That(Normalize(output.ToString()), Is.EqualTo(ExpectedTranscript.ReplaceLineEndings()));
    }

    [Test]
    public async Task TheEventsSessionLeavesNoPetBehind()
    {
        using var timeout = TestTimeout.Create();
        using var http = new HttpClient { BaseAddress = PetStoreServer.BaseAddress, Timeout = TestTimeout.Value };
        var before = await http.GetFromJsonAsync("pets", PetStoreJsonContext.Default.IReadOnlyListPet, timeout.Token);

        await EventsDemoSession.RunAsync(TextWriter.Null, PetStoreServer.WsRestEndpoint, timeout.Token);

        var after = await http.GetFromJsonAsync("pets", PetStoreJsonContext.Default.IReadOnlyListPet, timeout.Token);
        Assert.That(after!.Select(p => p.Id), Is.EqualTo(before!.Select(p => p.Id)));
    }

    [Test]
    public void TheEventsSessionFailsWithAClearErrorWhenTheServerIsNotThere()
    {
        var wrongPath = new UriBuilder(PetStoreServer.WsRestEndpoint) { Path = "/not-wsrest" }.Uri;
        using var timeout = TestTimeout.Create();

        var error = Assert.ThrowsAsync<HttpRequestException>(() => EventsDemoSession.RunAsync(TextWriter.Null, wrongPath, timeout.Token));
        Assert.That(error!.Message, Does.Contain("/not-wsrest"));
    }

    /// <summary>
    /// Checks the events part of a transcript: each event is printed between its request and its outcome,
    /// about the pet the request created, with the sequence number the outcome names; events of one
    /// topic are numbered 1, 2, 3, ... so every number is positive.
    /// </summary>
    internal static void AssertEventsTranscript(string transcript)
    {
        var text = transcript.ReplaceLineEndings("\n");
        var created = CreatedEvent().Match(text);
        Assert.That(created.Success, Is.True, $"the create, its event, then its outcome, in that order:{Environment.NewLine}{transcript}");
        var id = created.Groups["id"].Value;
        using (Assert.EnterMultipleScope())
        {
            Assert.That(text, Does.Contain("[P1] watcher: subscribe to pets/created, pets/updated, pets/deleted -> 3 subscriptions live"));
            Assert.That(text, Does.Match($@"\[P3\] PUT /pets/{id} \{{status: pending\}} \.\.\.\n      \[E\] pets/updated #(?<seq>[1-9]\d*): #{id} Bubbles \(pending\) \[fish\]\n\[P3\] -> 200 OK #{id} Bubbles \(pending\) \[fish\]; the watcher got pets/updated #\k<seq> \("));
            Assert.That(text, Does.Match($@"\[P4\] DELETE /pets/{id} \.\.\.\n      \[E\] pets/deleted #(?<seq>[1-9]\d*): pet #{id}\n\[P4\] -> 204 No Content; the watcher got pets/deleted #\k<seq> \("));
            Assert.That(text, Does.Match($@"\[P5\] watcher: wait until it has seen all 3 events for #{id} -> 3 of 3: pets/created #{created.Groups["seq"].Value}, pets/updated #[1-9]\d*, pets/deleted #[1-9]\d*"));
            Assert.That(text, Does.Contain("[P6] watcher: unsubscribe -> 3 subscriptions closed"));
            Assert.That(text, Does.Not.Contain("FAILED"));
            Assert.That(text, Does.Contain(EventsDemoSession.CompletedMarker + ": 6 steps OK; the watcher received 3 events."));
        }
    }

    [Test]
    public async Task TheEventsTranscriptNamesTheSamePetAndSequenceInEachEventAndItsOutcome()
    {
        using var timeout = TestTimeout.Create();
        using var output = new StringWriter();

        await EventsDemoSession.RunAsync(output, PetStoreServer.WsRestEndpoint, timeout.Token);

        AssertEventsTranscript(output.ToString());
    }

    /// <summary>Replaces what differs between runs: the endpoint, connection ids, timings, and pet and sequence numbers.</summary>
    private static string Normalize(string transcript)
    {
        var text = transcript.Replace(PetStoreServer.WsRestEndpoint.ToString(), "<endpoint>", StringComparison.Ordinal);
        text = ConnectionId().Replace(text, "<id>");
        text = Timing().Replace(text, "<ms>");
        text = PetsPath().Replace(text, "/pets/<n>");
        return Number().Replace(text, "#<n>").ReplaceLineEndings();
    }

    [GeneratedRegex(@"\[P2\] POST /pets \{name: ""Bubbles"", tags: \[fish\]\} \.\.\.\n      \[E\] pets/created #(?<seq>[1-9]\d*): #(?<id>[1-9]\d*) Bubbles \(available\) \[fish\]\n\[P2\] -> 201 Created #\k<id> Bubbles \(available\) \[fish\]; the watcher got pets/created #\k<seq> \(")]
    private static partial Regex CreatedEvent();

    [GeneratedRegex("[0-9a-f]{32}")]
    private static partial Regex ConnectionId();

    [GeneratedRegex(@"\d+\.\d ms")]
    private static partial Regex Timing();

    [GeneratedRegex(@"/pets/\d+")]
    private static partial Regex PetsPath();

    [GeneratedRegex(@"#\d+")]
    private static partial Regex Number();
}
