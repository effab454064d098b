using System.Net.WebSockets;
using Microsoft.AspNetCore.Http;

namespace WsRest.Load;

/// <summary>
/// The practical limit for one WebSocket: no HTTP per message. A request is one binary message
/// <c>[8-byte id][payload]</c>; an empty payload is answered with <c>[id][<see cref="Payloads.SmallJson"/>]</c>,
/// any other payload is echoed as it came. Messages are served one after another on the socket.
/// </summary>
internal static class RawEchoEndpoint
{
    public const int IdSize = 8;
    public const int MaxMessage = IdSize + 64 * 1024;

    public static async Task HandleAsync(HttpContext context)
    {
        using var socket = await RawWebSocketAccept.AcceptAsync(context).ConfigureAwait(false);
        if (socket is null)
        {
            return;
        }

        var buffer = new byte[MaxMessage];
        var small = new byte[IdSize + Payloads.SmallJson.Length];
        Payloads.SmallJson.CopyTo(small, IdSize);
        var aborted = context.RequestAborted;
        try
        {
            while (true)
            {
                var length = 0;
                ValueWebSocketReceiveResult result;
                do
                {
                    if (length == buffer.Length)
                    {
                        await socket.CloseAsync(WebSocketCloseStatus.MessageTooBig, "message too big", aborted).ConfigureAwait(false);
                        return;
                    }

                    result = await socket.ReceiveAsync(buffer.AsMemory(length), aborted).ConfigureAwait(false);
                    if (result.MessageType == WebSocketMessageType.Close)
                    {
                        await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, aborted).ConfigureAwait(false);
                        return;
                    }

                    length += result.Count;
                }
                while (!result.EndOfMessage);

                if (length < IdSize)
                {
                    await socket.CloseAsync(WebSocketCloseStatus.PolicyViolation, "a message starts with an 8-byte id", aborted).ConfigureAwait(false);
                    return;
                }

                ReadOnlyMemory<byte> response;
                if (length == IdSize)
                {
                    buffer.AsSpan(0, IdSize).CopyTo(small);
                    response = small;
                }
                else
                {
                    response = buffer.AsMemory(0, length);
                }

                await socket.SendAsync(response, WebSocketMessageType.Binary, endOfMessage: true, aborted).ConfigureAwait(false);
            }
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException)
        {
            // The client went away (the load program aborts its socket when a run ends).
        }
    }
}
