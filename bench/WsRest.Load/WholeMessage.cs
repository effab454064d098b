using System.Net.WebSockets;

namespace WsRest.Load;

/// <summary>Receives one whole WebSocket message into a buffer (the raw clients and the batching raw endpoint).</summary>
internal static class WholeMessage
{
    /// <returns>The message's length.</returns>
    /// <exception cref="WebSocketException">The remote closed, or the message is longer than <paramref name="buffer"/>.</exception>
    public static async ValueTask<int> ReceiveAsync(WebSocket socket, byte[] buffer, CancellationToken cancellationToken)
    {
        var length = 0;
        ValueWebSocketReceiveResult result;
        do
        {
            if (length == buffer.Length)
            {
                throw new WebSocketException($"A raw message is larger than {buffer.Length} bytes.");
            }

            result = await socket.ReceiveAsync(buffer.AsMemory(length), cancellationToken).ConfigureAwait(false);
            if (result.MessageType == WebSocketMessageType.Close)
            {
                throw new WebSocketException($"The remote closed the raw WebSocket: {socket.CloseStatus} {socket.CloseStatusDescription}");
            }

            length += result.Count;
        }
        while (!result.EndOfMessage);

        return length;
    }
}
