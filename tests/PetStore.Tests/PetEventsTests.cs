using System.Net;
using System.Net.Http.Json;
using System.Text;
using PetStore.Api;
using WsRest;
using WsRest.Client;

namespace PetStore.Tests;

/// <summary>
/// The CRUD endpoints publish <c>pets/created</c>, <c>pets/updated</c> and <c>pets/deleted</c> on success
/// and nothing on failure, whichever transport the changing client uses. A watcher on its own WsRest
/// connection records the events; after it unsubscribes its record is complete, so the tests assert
/// exactly what arrived, and that each topic's sequence numbers continue from where the topic stood
/// when the watcher subscribed (so a failed call that published would show up as an extra event).
/// </summary>
[TestFixture(Transport.Http)]
[TestFixture(Transport.WsRest)]
public sealed class PetEventsTests(Transport transport) : TransportFixture(transport)
{
    private const long MissingId = 987_654_321;
    private static readonly PetStoreJsonContext Json = PetStoreJsonContext.Default;

    [Test]
    public async Task CreateUpdateAndDeleteEachPublishTheirEventWithConsecutiveSequenceNumbers()
    {
        using var timeout = TestTimeout.Create();
        var ct = timeout.Token;
        await using var watcherConnection = await ConnectWatcherAsync(ct);
        await using var watcher = await PetEventRecorder.StartAsync(watcherConnection, ct);

        var first = await CreateAsync(new PetInput { Name = "Event One", Tags = ["events"] }, ct);
        var second = await CreateAsync(new PetInput { Name = "Event Two", Status = PetStatus.Pending }, ct);
        var firstUpdated = await UpdateAsync(first.Id, new PetInput { Name = "Event One", Status = PetStatus.Sold, Tags = ["events", "sold"] }, ct);
        var secondUpdated = await UpdateAsync(second.Id, new PetInput { Name = "Event Two II" }, ct);
        await DeleteAsync(first.Id, ct);
        await DeleteAsync(second.Id, ct);

        await watcher.WaitForCountAsync(6, ct);
        await watcher.UnsubscribeAsync(ct);

        AssertPets(watcher, PetEvents.Created, first, second);
        AssertPets(watcher, PetEvents.Updated, firstUpdated, secondUpdated);
        AssertDeleted(watcher, first.Id, second.Id);
        Assert.That(watcher.Count, Is.EqualTo(6), "nothing else arrived");
    }

    [Test]
    public async Task AFailedCreatePublishesNothing()
    {
        using var timeout = TestTimeout.Create();
        var ct = timeout.Token;
        await using var watcherConnection = await ConnectWatcherAsync(ct);
        await using var watcher = await PetEventRecorder.StartAsync(watcherConnection, ct);

        using (var invalid = await Http.PostAsJsonAsync("pets", new PetInput { Name = string.Empty, Status = "lost" }, Json.PetInput, ct))
        {
            await Problems.ReadAsync(invalid, HttpStatusCode.BadRequest, ct);
        }

        using (var tooLong = await Http.PostAsJsonAsync("pets", new PetInput { Name = new string('x', PetRules.MaxNameLength + 1) }, Json.PetInput, ct))
        {
            await Problems.ReadAsync(tooLong, HttpStatusCode.BadRequest, ct);
        }

        using (var body = new StringContent("{\"name\": ", Encoding.UTF8, "application/json"))
        using (var malformed = await Http.PostAsync("pets", body, ct))
        {
            await Problems.ReadAsync(malformed, HttpStatusCode.BadRequest, ct);
        }

        // Had any failed create published, its event would come first, as StartSequence + 1.
        var created = await CreateAsync(new PetInput { Name = "After the failures" }, ct);
        await watcher.WaitForCountAsync(1, ct);
        await watcher.UnsubscribeAsync(ct);

        AssertPets(watcher, PetEvents.Created, created);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(watcher.On(PetEvents.Updated), Is.Empty);
            Assert.That(watcher.On(PetEvents.Deleted), Is.Empty);
        }

        await DeleteAsync(created.Id, ct);
    }

    [Test]
    public async Task AFailedUpdatePublishesNothing()
    {
        using var timeout = TestTimeout.Create();
        var ct = timeout.Token;
        var pet = await CreateAsync(new PetInput { Name = "To update" }, ct);
        await using var watcherConnection = await ConnectWatcherAsync(ct);
        await using var watcher = await PetEventRecorder.StartAsync(watcherConnection, ct);

        using (var invalid = await Http.PutAsJsonAsync($"pets/{pet.Id}", new PetInput { Name = " " }, Json.PetInput, ct))
        {
            await Problems.ReadAsync(invalid, HttpStatusCode.BadRequest, ct);
        }

        using (var missing = await Http.PutAsJsonAsync($"pets/{MissingId}", new PetInput { Name = "Ghost" }, Json.PetInput, ct))
        {
            await Problems.ReadAsync(missing, HttpStatusCode.NotFound, ct);
        }

        var updated = await UpdateAsync(pet.Id, new PetInput { Name = "Updated", Status = PetStatus.Sold }, ct);
        await watcher.WaitForCountAsync(1, ct);
        await watcher.UnsubscribeAsync(ct);

        AssertPets(watcher, PetEvents.Updated, updated);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(watcher.On(PetEvents.Created), Is.Empty);
            Assert.That(watcher.On(PetEvents.Deleted), Is.Empty);
        }

        await DeleteAsync(pet.Id, ct);
    }

    [Test]
    public async Task AFailedDeletePublishesNothing()
    {
        using var timeout = TestTimeout.Create();
        var ct = timeout.Token;
        var first = await CreateAsync(new PetInput { Name = "To delete" }, ct);
        var second = await CreateAsync(new PetInput { Name = "To delete too" }, ct);
        await using var watcherConnection = await ConnectWatcherAsync(ct);
        await using var watcher = await PetEventRecorder.StartAsync(watcherConnection, ct);

        await DeleteMissingAsync(MissingId, ct);
        await DeleteAsync(first.Id, ct);
        await DeleteMissingAsync(first.Id, ct); // already gone: 404, and no second event for it
        await DeleteAsync(second.Id, ct);
        await watcher.WaitForCountAsync(2, ct);
        await watcher.UnsubscribeAsync(ct);

        AssertDeleted(watcher, first.Id, second.Id);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(watcher.On(PetEvents.Created), Is.Empty);
            Assert.That(watcher.On(PetEvents.Updated), Is.Empty);
        }
    }

    [Test]
    public async Task ConcurrentUpdatesOfOnePetAreAnnouncedInTheOrderTheyWereApplied()
    {
        const int Count = 20;
        using var timeout = TestTimeout.Create();
        var ct = timeout.Token;
        var pet = await CreateAsync(new PetInput { Name = "Raced" }, ct);
        await using var watcherConnection = await ConnectWatcherAsync(ct);
        await using var watcher = await PetEventRecorder.StartAsync(watcherConnection, ct);

        var names = Enumerable.Range(0, Count).Select(i => $"Raced {i}").ToArray();
        await Task.WhenAll(names.Select(name => UpdateAsync(pet.Id, new PetInput { Name = name }, ct)));
        var final = await Http.GetFromJsonAsync($"pets/{pet.Id}", Json.Pet, ct);
        await watcher.WaitForCountAsync(Count, ct);
        await watcher.UnsubscribeAsync(ct);

        var updated = watcher.On(PetEvents.Updated);
        var start = watcher.StartSequence(PetEvents.Updated);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(updated.Select(e => e.Sequence), Is.EqualTo(Enumerable.Range(1, Count).Select(i => start + i)));
            Assert.That(updated.Select(e => e.ReadPet()?.Name), Is.EquivalentTo(names), "one event per update");
            Assert.That(updated[^1].ReadPet(), Is.EqualTo(final).Using<Pet>(SamePet), "the last event is the pet's state after all the updates");
        }

        await DeleteAsync(pet.Id, ct);
    }

    /// <summary>The events on <paramref name="topic"/> are exactly <paramref name="expected"/>, as JSON, numbered on from the start.</summary>
    private static void AssertPets(PetEventRecorder watcher, string topic, params Pet[] expected)
    {
        var events = watcher.On(topic);
        var start = watcher.StartSequence(topic);
        Assert.That(events, Has.Count.EqualTo(expected.Length), $"{topic}: {string.Join("; ", events)}");
        using (Assert.EnterMultipleScope())
        {
            for (var i = 0; i < expected.Length; i++)
            {
                Assert.That(events[i].Kind, Is.EqualTo(WsRestEventKind.Event), $"{topic} [{i}]");
                Assert.That(events[i].Sequence, Is.EqualTo(start + 1 + i), $"{topic} [{i}]: the next sequence number");
                Assert.That(events[i].ContentType, Is.EqualTo("application/json"), $"{topic} [{i}]");
                Assert.That(events[i].ReadPet(), Is.EqualTo(expected[i]).Using<Pet>(SamePet), $"{topic} [{i}]: {events[i].Payload}");
            }
        }
    }

    /// <summary>The <c>pets/deleted</c> events are exactly <c>{"id":N}</c> for <paramref name="ids"/>, numbered on from the start.</summary>
    private static void AssertDeleted(PetEventRecorder watcher, params long[] ids)
    {
        var events = watcher.On(PetEvents.Deleted);
        var start = watcher.StartSequence(PetEvents.Deleted);
        Assert.That(events, Has.Count.EqualTo(ids.Length), string.Join("; ", events));
        using (Assert.EnterMultipleScope())
        {
            for (var i = 0; i < ids.Length; i++)
            {
                Assert.That(events[i].Kind, Is.EqualTo(WsRestEventKind.Event), $"[{i}]");
                Assert.That(events[i].Sequence, Is.EqualTo(start + 1 + i), $"[{i}]: the next sequence number");
                Assert.That(events[i].ContentType, Is.EqualTo("application/json"), $"[{i}]");
                Assert.That(events[i].Payload, Is.EqualTo($"{{\"id\":{ids[i]}}}"), $"[{i}]");
            }
        }
    }

    private static async Task<WsRestClient> ConnectWatcherAsync(CancellationToken cancellationToken)
    {
        var connection = new WsRestClient(new WsRestClientOptions { Endpoint = PetStoreServer.WsRestEndpoint });
        try
        {
            await connection.ConnectAsync(cancellationToken);
            return connection;
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    private async Task<Pet> CreateAsync(PetInput input, CancellationToken cancellationToken)
    {
        using var response = await Http.PostAsJsonAsync("pets", input, Json.PetInput, cancellationToken);
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Created), await response.Content.ReadAsStringAsync(cancellationToken));
        return (await response.Content.ReadFromJsonAsync(Json.Pet, cancellationToken))!;
    }

    private async Task<Pet> UpdateAsync(long id, PetInput input, CancellationToken cancellationToken)
    {
        using var response = await Http.PutAsJsonAsync($"pets/{id}", input, Json.PetInput, cancellationToken);
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), await response.Content.ReadAsStringAsync(cancellationToken));
        return (await response.Content.ReadFromJsonAsync(Json.Pet, cancellationToken))!;
    }

    private async Task DeleteAsync(long id, CancellationToken cancellationToken)
    {
        using var response = await Http.DeleteAsync($"pets/{id}", cancellationToken);
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.NoContent), await response.Content.ReadAsStringAsync(cancellationToken));
    }

    private async Task DeleteMissingAsync(long id, CancellationToken cancellationToken)
    {
        using var response = await Http.DeleteAsync($"pets/{id}", cancellationToken);
        await Problems.ReadAsync(response, HttpStatusCode.NotFound, cancellationToken);
    }

    private static bool SamePet(Pet? x, Pet? y)
        => x is not null && y is not null && x.Id == y.Id && x.Name == y.Name && x.Status == y.Status && x.Tags.SequenceEqual(y.Tags);
}
