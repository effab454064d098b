namespace WsRest.Client;

/// <summary>
/// What <see cref="WsRestClientOptions.WebSocketFactory"/> gets to open one WebSocket: where to, and the
/// subprotocol it must request (and the server must accept).
/// </summary>
public sealed class WsRestWebSocketContext
{
    internal WsRestWebSocketContext(Uri endpoint, string subProtocol)
    {
        Endpoint = endpoint;
        SubProtocol = subProtocol;
    }

    /// <summary>The server's WsRest endpoint (<see cref="WsRestClientOptions.Endpoint"/>).</summary>
    public Uri Endpoint { get; }

    /// <summary>The WebSocket subprotocol to request: <c>wsrest.v1</c>, or <c>wsrest.v1.json</c> for <see cref="WsRestEncoding.Json"/>.</summary>
    public string SubProtocol { get; }
}
