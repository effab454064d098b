using System.Net;
using System.Net.Http.Json;
using PetStore.Api;
using WsRest;
using WsRest.Client;

namespace PetStore.Tests;

/// <summary>One WsRest connection both calls the API and receives the events its own calls cause.</summary>
[TestFixture]
public sealed class PetEventsOneSocketTests
{
    [Test]
    public async Task TheSocketThatSendsTheRequestsAlsoCarriesTheirEvents()
    {
        using var timeout = TestTimeout.Create();
        var ct = timeout.Token;
        await using var connection = new WsRestClient(new WsRestClientOptions { Endpoint = PetStoreServer.WsRestEndpoint });
        await connection.ConnectAsync(ct);
        using var http = new HttpClient(new WebSocketMessageHandler(connection)) { BaseAddress = PetStoreServer.BaseAddress, Timeout = TestTimeout.Value };
        await using var watcher = await PetEventRecorder.StartAsync(connection, ct);

        using var create = await http.PostAsJsonAsync("pets", new PetInput { Name = "Same socket" }, PetStoreJsonContext.Default.PetInput, ct);
        Assert.That(create.StatusCode, Is.EqualTo(HttpStatusCode.Created));
        var pet = await create.Content.ReadFromJsonAsync(PetStoreJsonContext.Default.Pet, ct);
        using var delete = await http.DeleteAsync($"pets/{pet!.Id}", ct);
        Assert.That(delete.StatusCode, Is.EqualTo(HttpStatusCode.NoContent));
        await watcher.WaitForCountAsync(2, ct);
        await watcher.UnsubscribeAsync(ct);

        var created = watcher.On(PetEvents.Created);
        var deleted = watcher.On(PetEvents.Deleted);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(created.Select(e => (e.Kind, e.Sequence)), Is.EqualTo(new[] { (WsRestEventKind.Event, watcher.StartSequence(PetEvents.Created) + 1) }));
            Assert.That(created.Select(e => e.ReadPet()?.Name), Is.EqualTo((string[])["Same socket"]));
            Assert.That(created.Select(e => e.ReadPet()?.Id), Is.EqualTo(new long?[] { pet.Id }));
            Assert.That(deleted.Select(e => (e.Sequence, e.Payload)), Is.EqualTo(new[] { (watcher.StartSequence(PetEvents.Deleted) + 1, $"{{\"id\":{pet.Id}}}") }));
            Assert.That(watcher.On(PetEvents.Updated), Is.Empty);
            Assert.That(connection.State, Is.EqualTo(WsRestConnectionState.Connected));
        }
    }
}
