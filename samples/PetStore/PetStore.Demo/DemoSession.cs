using Microsoft.Extensions.DependencyInjection;
using PetStore.Client;
using WsRest.Client;

namespace PetStore.Demo;

/// <summary>
/// The scripted demo: resolves the NSwag-generated <see cref="IPetStoreClient"/> from
/// <c>IHttpClientFactory</c>, sending over one WsRest connection, and walks through the API over that
/// single WebSocket, printing each step.
/// </summary>
public static class DemoSession
{
    /// <summary>The last line a successful session prints.</summary>
    public const string CompletedMarker = "Demo completed";

    /// <summary>
    /// Runs the session against the WsRest endpoint <paramref name="wsEndpoint"/> (e.g.
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
        output.WriteLine($"Connected to {wsEndpoint} over WsRest; connection id {connection.ConnectionId}");

        var log = new DemoLog(output);
        await new DemoSteps(services.GetRequiredService<IPetStoreClient>(), log).RunAsync(cancellationToken).ConfigureAwait(false);

        DemoExpect.That(connection.State == WsRestConnectionState.Connected, $"The WsRest connection is {connection.State} after the session; expected Connected.");
        output.WriteLine($"{CompletedMarker}: {log.CompletedSteps} steps OK on connection {connection.ConnectionId}.");
    }
}
