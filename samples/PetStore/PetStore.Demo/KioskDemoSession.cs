using Microsoft.Extensions.DependencyInjection;
using PetStore.Client;
using WsRest.Client;

namespace PetStore.Demo;

/// <summary>
/// The demo's second part, the reverse direction: starts a store kiosk in-process (it dials the
/// server; no listening port) and, with the NSwag-generated <see cref="IPetStoreClient"/> over WsRest,
/// lists kiosks, reads the kiosk's status and sets its display through the server, then stops the
/// kiosk and shows that the server reports it gone (404). Steps are printed as <c>[K1]</c>, <c>[K2]</c>, ...
/// </summary>
public static class KioskDemoSession
{
    /// <summary>The last line a successful kiosk session prints.</summary>
    public const string CompletedMarker = "Kiosk demo completed";

    /// <summary>
    /// Runs the kiosk session against the WsRest endpoint <paramref name="wsEndpoint"/> (e.g.
    /// <c>ws://127.0.0.1:5080/wsrest</c>), writing a transcript to <paramref name="output"/>.
    /// </summary>
    /// <exception cref="DemoFailedException">A step did not behave as expected (the transcript says which).</exception>
    /// <exception cref="HttpRequestException">The server could not be reached.</exception>
    public static async Task RunAsync(TextWriter output, Uri wsEndpoint, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(wsEndpoint);

        // The container owns the connection: disposing it closes the WebSocket.
        await using var services = new ServiceCollection().AddPetStoreClient(wsEndpoint).BuildServiceProvider();
        var connection = services.GetRequiredService<IWsRestClientProvider>().GetClient(PetStoreServices.ConnectionName);
        await connection.ConnectAsync(cancellationToken).ConfigureAwait(false);
        output.WriteLine($"Kiosks (the server calls a client's API): connected to {wsEndpoint} over WsRest; connection id {connection.ConnectionId}");

        var log = new DemoLog(output, stepPrefix: "K");
        await new KioskDemoSteps(services.GetRequiredService<IPetStoreClient>(), log, wsEndpoint).RunAsync(cancellationToken).ConfigureAwait(false);

        DemoExpect.That(connection.State == WsRestConnectionState.Connected, $"The WsRest connection is {connection.State} after the session; expected Connected.");
        output.WriteLine($"{CompletedMarker}: {log.CompletedSteps} steps OK on connection {connection.ConnectionId}.");
    }
}
