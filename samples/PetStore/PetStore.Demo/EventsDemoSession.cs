using Microsoft.Extensions.DependencyInjection;
using PetStore.Client;
using WsRest.Client;

namespace PetStore.Demo;

/// <summary>
/// The demo's third part, pub/sub: a watcher on its own WsRest connection subscribes to
/// <c>pets/created</c>, <c>pets/updated</c> and <c>pets/deleted</c> and prints each event as it arrives
/// (<c>[E] ...</c>), while the NSwag-generated <see cref="IPetStoreClient"/>, over another WsRest
/// connection, creates, updates and deletes a pet. Steps are printed as <c>[P1]</c>, <c>[P2]</c>, ...
/// </summary>
public static class EventsDemoSession
{
    /// <summary>The last line a successful events session prints.</summary>
    public const string CompletedMarker = "Events demo completed";

    /// <summary>
    /// Runs the events session against the WsRest endpoint <paramref name="wsEndpoint"/> (e.g.
    /// <c>ws://127.0.0.1:5080/wsrest</c>), writing a transcript to <paramref name="output"/>.
    /// </summary>
    /// <exception cref="DemoFailedException">A step did not behave as expected (the transcript says which).</exception>
    /// <exception cref="HttpRequestException">The server could not be reached.</exception>
    public static async Task RunAsync(TextWriter output, Uri wsEndpoint, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(wsEndpoint);

        // Events are printed from the subscriptions' handlers while the steps print theirs.
        output = TextWriter.Synchronized(output);

        // The watcher: a plain WsRestClient; disposing it closes its WebSocket (and any subscription left).
        await using var watcherConnection = new WsRestClient(new WsRestClientOptions { Endpoint = wsEndpoint });
        await watcherConnection.ConnectAsync(cancellationToken).ConfigureAwait(false);

        // The changer: the generated client over its own WsRest connection; the container owns that connection.
        await using var services = new ServiceCollection().AddPetStoreClient(wsEndpoint).BuildServiceProvider();
        var changerConnection = services.GetRequiredService<IWsRestClientProvider>().GetClient(PetStoreServices.ConnectionName);
        await changerConnection.ConnectAsync(cancellationToken).ConfigureAwait(false);

        output.WriteLine($"Events (pub/sub on the WsRest socket): connected to {wsEndpoint}; watcher connection id {watcherConnection.ConnectionId}, "
            + $"changer (the generated client) connection id {changerConnection.ConnectionId}");

        var log = new DemoLog(output, stepPrefix: "P");
        var watcher = new PetEventWatcher(watcherConnection, output);
        await new EventsDemoSteps(services.GetRequiredService<IPetStoreClient>(), watcher, log).RunAsync(cancellationToken).ConfigureAwait(false);

        DemoExpect.That(watcherConnection.State == WsRestConnectionState.Connected, $"The watcher's connection is {watcherConnection.State} after the session; expected Connected.");
        DemoExpect.That(changerConnection.State == WsRestConnectionState.Connected, $"The changer's connection is {changerConnection.State} after the session; expected Connected.");
        output.WriteLine($"{CompletedMarker}: {log.CompletedSteps} steps OK; the watcher received {watcher.Seen.Count} events.");
    }
}
