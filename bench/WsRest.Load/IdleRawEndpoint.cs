using System.Net.WebSockets;
using Microsoft.AspNetCore.Http;

namespace WsRest.Load;

/// <summary>
/// <c>/idle-raw</c>: accepts a WebSocket and waits for its close with zero-byte receives, so the app
/// holds no buffer. What an idle connection costs here is Kestrel's and the WebSocket's share alone:
/// the floor under a WsRest connection in the <c>--idle</c> comparison.
/// </summary>
internal static class IdleRawEndpoint
{
    public static async Task HandleAsync(HttpContext context)
    {
        using var socket = await RawWebSocketAccept.AcceptAsync(context).ConfigureAwait(false);
        if (socket is null)
        {
            return;
        }

        try
        {
            // A zero-byte receive completes once a frame header arrives; control frames (PING) are
            // answered inside the WebSocket without completing it.
            var result = await socket.ReceiveAsync(Memory<byte>.Empty, context.RequestAborted).ConfigureAwait(false);
            if (result.MessageType == WebSocketMessageType.Close)
            {
                await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, context.RequestAborted).ConfigureAwait(false);
                return;
            }

            // Any data on this endpoint is a client bug: refuse it rather than read it.
            await socket.CloseAsync(WebSocketCloseStatus.PolicyViolation, "idle endpoint: send nothing", context.RequestAborted).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException or IOException)
        {
            // The client went away without a close handshake: Kestrel's connection counter shows it.
        }
    }
}
