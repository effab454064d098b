using System.Net;
using System.Net.WebSockets;
using Microsoft.AspNetCore.Connections;

namespace WsRest.Load;

/// <summary>
/// Connects a <c>HubConnection</c> straight to a hub's WebSocket URL, with no negotiate request:
/// the SignalR client package that would do both (Http.Connections.Client) cannot be restored here,
/// and the server accepts a WebSocket without a connection id as a new connection.
/// </summary>
internal sealed class WebSocketConnectionFactory : IConnectionFactory
{
    public async ValueTask<ConnectionContext> ConnectAsync(EndPoint endpoint, CancellationToken cancellationToken = default)
    {
        if (endpoint is not UriEndPoint { Uri: var uri })
        {
            throw new NotSupportedException($"Only a {nameof(UriEndPoint)} with a ws:// URL is supported, not {endpoint}.");
        }

        var socket = new ClientWebSocket();
        // The hub protocol pings on its own (HubConnection.KeepAliveInterval); WebSocket PINGs would be extra wire bytes.
        socket.Options.KeepAliveInterval = TimeSpan.Zero;
        try
        {
            await socket.ConnectAsync(uri, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            socket.Dispose();
            throw;
        }

        return WebSocketConnectionContext.Start(socket, uri);
    }
}
