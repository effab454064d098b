using System.Globalization;
using System.Net.WebSockets;
using System.Text;
using Microsoft.AspNetCore.Http;

namespace WsRest.Load;

/// <summary>
/// <c>/raw-large</c>: large bodies on a plain WebSocket, no HTTP. A text message holding a decimal byte
/// count asks for a download: one binary message of that many bytes, sent in 64 KiB fragments. A binary
/// message is an upload: it is read 64 KiB at a time, counted, dropped, and answered with a text message
/// holding the count. One exchange at a time: WebSocket messages cannot interleave.
/// </summary>
internal static class LargeRawEndpoint
{
    public static async Task HandleAsync(HttpContext context)
    {
        using var socket = await RawWebSocketAccept.AcceptAsync(context).ConfigureAwait(false);
        if (socket is null)
        {
            return;
        }

        var buffer = new byte[LargeBody.ChunkSize];
        var aborted = context.RequestAborted;
        try
        {
            while (true)
            {
                var result = await socket.ReceiveAsync(buffer.AsMemory(), aborted).ConfigureAwait(false);
                switch (result.MessageType)
                {
                    case WebSocketMessageType.Close:
                        await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, aborted).ConfigureAwait(false);
                        return;
                    case WebSocketMessageType.Text when result.EndOfMessage && long.TryParse(buffer.AsSpan(0, result.Count), NumberStyles.None, CultureInfo.InvariantCulture, out var bytes):
                        await SendAsync(socket, bytes, aborted).ConfigureAwait(false);
                        break;
                    case WebSocketMessageType.Binary:
                        long total = result.Count;
                        while (!result.EndOfMessage)
                        {
                            result = await socket.ReceiveAsync(buffer.AsMemory(), aborted).ConfigureAwait(false);
                            total += result.Count;
                        }

                        await socket.SendAsync(Encoding.ASCII.GetBytes(total.ToString(CultureInfo.InvariantCulture)), WebSocketMessageType.Text, endOfMessage: true, aborted).ConfigureAwait(false);
                        break;
                    default:
                        await socket.CloseAsync(WebSocketCloseStatus.PolicyViolation, "a text message carries a byte count", aborted).ConfigureAwait(false);
                        return;
                }
            }
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException)
        {
            // The client went away (the load program aborts its socket when a run ends).
        }
    }

    /// <summary>Sends <paramref name="bytes"/> bytes of the shared chunk as one message, one fragment per chunk.</summary>
    public static async Task SendAsync(WebSocket socket, long bytes, CancellationToken cancellationToken)
    {
        for (var remaining = bytes; remaining > 0;)
        {
            var count = (int)Math.Min(remaining, LargeBody.ChunkSize);
            remaining -= count;
            await socket.SendAsync(LargeBody.Chunk.AsMemory(0, count), WebSocketMessageType.Binary, endOfMessage: remaining == 0, cancellationToken).ConfigureAwait(false);
        }
    }
}
