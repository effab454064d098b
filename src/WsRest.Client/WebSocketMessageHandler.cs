namespace WsRest.Client;

/// <summary>
/// An <see cref="HttpMessageHandler"/> that sends requests over a <see cref="WsRestClient"/>'s
/// WebSocket. It does not own the client, so <c>IHttpClientFactory</c> may create and drop handlers
/// freely while one connection serves them all.
/// </summary>
/// <example>
/// <code>
/// await using var connection = new WsRestClient(new WsRestClientOptions { Endpoint = new("ws://localhost:5000/wsrest") });
/// using var http = new HttpClient(new WebSocketMessageHandler(connection)) { BaseAddress = new("http://petstore/") };
/// var pets = await http.GetStringAsync("pets");
/// </code>
/// </example>
public sealed class WebSocketMessageHandler : HttpMessageHandler
{
    private readonly WsRestClient _client;

    /// <summary>Creates a handler that sends through <paramref name="client"/>.</summary>
    public WebSocketMessageHandler(WsRestClient client)
    {
        ArgumentNullException.ThrowIfNull(client);
        _client = client;
    }

    /// <summary>The connection this handler sends through.</summary>
    public WsRestClient Client => _client;

    /// <inheritdoc />
    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        return _client.SendAsync(request, cancellationToken);
    }
}
