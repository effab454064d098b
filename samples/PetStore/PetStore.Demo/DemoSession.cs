using WsRest.Client;

namespace PetStore.Demo;

/// <summary>
/// The scripted demo: connects one <see cref="WsRestClient"/> to a PetStore server and walks through
/// the API over that single WebSocket, printing each step.
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

        await using var connection = new WsRestClient(new WsRestClientOptions { Endpoint = wsEndpoint });
        await connection.ConnectAsync(cancellationToken).ConfigureAwait(false);
        output.WriteLine($"Connected to {wsEndpoint} over WsRest; connection id {connection.ConnectionId}");

        using var http = new HttpClient(new WebSocketMessageHandler(connection))
        {
            BaseAddress = ToHttpBaseAddress(wsEndpoint),
            Timeout = TimeSpan.FromSeconds(30),
        };

        var log = new DemoLog(output);
        await new DemoSteps(new PetStoreClient(http), log).RunAsync(cancellationToken).ConfigureAwait(false);

        DemoExpect.That(connection.State == WsRestConnectionState.Connected, $"The WsRest connection is {connection.State} after the session; expected Connected.");
        output.WriteLine($"{CompletedMarker}: {log.CompletedSteps} steps OK on connection {connection.ConnectionId}.");
    }

    /// <summary>The HTTP base address matching a WsRest endpoint (only the path matters over WsRest; the host is kept for readability).</summary>
    public static Uri ToHttpBaseAddress(Uri wsEndpoint)
    {
        ArgumentNullException.ThrowIfNull(wsEndpoint);
        return new UriBuilder(wsEndpoint)
        {
            Scheme = wsEndpoint.Scheme == "wss" ? Uri.UriSchemeHttps : Uri.UriSchemeHttp,
            Path = "/",
            Query = string.Empty,
        }.Uri;
    }
}
