using System.Buffers;
using System.Net.WebSockets;
using Microsoft.AspNetCore.Http;

namespace WsRest.Load;

/// <summary>
/// The "limit" row's server: what one WebSocket carries when requests and answers are batched as WsRest
/// batches its frames, with nothing else per request. The read loop answers each record of a message
/// at once (an empty payload with <see cref="Payloads.SmallJson"/>, any other payload echoed) by queueing
/// the answer for a <see cref="RawBatchWriter"/>, which sends everything queued as one message.
/// </summary>
internal static class RawBatchEchoEndpoint
{
    public static async Task HandleAsync(HttpContext context)
    {
        using var socket = await RawWebSocketAccept.AcceptAsync(context).ConfigureAwait(false);
        if (socket is null)
        {
            return;
        }

        var writer = new RawBatchWriter(socket);
        var writing = Task.Run(async () =>
        {
            try
            {
                await writer.RunAsync().ConfigureAwait(false);
            }
            catch
            {
                // A writer that stopped takes the connection down, or the read loop would queue for nobody.
                socket.Abort();
                throw;
            }
        }, CancellationToken.None);
        var buffer = new byte[RawBatchFraming.MaxMessage];
        try
        {
            while (true)
            {
                var length = await WholeMessage.ReceiveAsync(socket, buffer, context.RequestAborted).ConfigureAwait(false);
                Answer(buffer.AsSpan(0, length), writer);
            }
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException or InvalidDataException)
        {
            // The client went away (the load program aborts its socket when a run ends), or sent a malformed
            // record: either way this connection is over.
            socket.Abort();
        }
        finally
        {
            writer.Complete();
        }

        try
        {
            await writing.ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException or ObjectDisposedException)
        {
            // The socket was aborted under a send: the end of the connection, already handled above.
        }
    }

    private static void Answer(ReadOnlySpan<byte> message, RawBatchWriter writer)
    {
        while (RawBatchFraming.TryRead(ref message, out var id, out var payload))
        {
            RawBatchRecord answer;
            if (payload.IsEmpty)
            {
                answer = new RawBatchRecord(id, Payloads.SmallJson, null);
            }
            else
            {
                // The receive buffer is reused for the next message: the echo takes a pooled copy, as
                // WsRest's frames carry pooled payloads to its writer.
                var copy = ArrayPool<byte>.Shared.Rent(payload.Length);
                payload.CopyTo(copy);
                answer = new RawBatchRecord(id, copy.AsMemory(0, payload.Length), copy);
            }

            if (!writer.TryWrite(answer))
            {
                if (answer.Rented is { } rented)
                {
                    ArrayPool<byte>.Shared.Return(rented);
                }

                throw new WebSocketException("The raw batch writer stopped.");
            }
        }
    }
}
