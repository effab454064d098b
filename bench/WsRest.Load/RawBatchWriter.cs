using System.Buffers;
using System.Net.WebSockets;
using System.Threading.Channels;

namespace WsRest.Load;

/// <summary>One record waiting to be written: its id, its payload, and the pooled array to return once it is copied (or null).</summary>
internal readonly record struct RawBatchRecord(uint Id, ReadOnlyMemory<byte> Payload, byte[]? Rented);

/// <summary>
/// The batching raw echo's writer, on both ends: the only code that sends on its socket. As WsRest's writer
/// does (<c>WsRestPeer.WriteLoopAsync</c>, docs/protocol.md §3.1 "Batching"), each time it wakes up it drains
/// every record already queued into one message, up to <see cref="RawBatchFraming.BatchSize"/>, then sends it;
/// under load many requests share one socket write. No HTTP, no streams, no flow control, no per-frame metrics:
/// what is left is what one WebSocket can carry here.
/// </summary>
internal sealed class RawBatchWriter(WebSocket socket)
{
    // Bounded in practice: the client queues at most one request per load loop, and the server one
    // response per request it read.
    private readonly Channel<RawBatchRecord> _queue = Channel.CreateUnbounded<RawBatchRecord>(new UnboundedChannelOptions { SingleReader = true });

    public bool TryWrite(RawBatchRecord record) => _queue.Writer.TryWrite(record);

    /// <summary>No more records: <see cref="RunAsync"/> ends once the queue is drained (or at once if the socket failed).</summary>
    public void Complete() => _queue.Writer.TryComplete();

    /// <summary>The writer loop; it throws what the socket threw, after returning every pooled payload still queued.</summary>
    public async Task RunAsync()
    {
        var reader = _queue.Reader;
        var message = new ArrayBufferWriter<byte>(RawBatchFraming.MaxMessage);
        try
        {
            while (await reader.WaitToReadAsync().ConfigureAwait(false))
            {
                while (message.WrittenCount < RawBatchFraming.BatchSize && reader.TryRead(out var record))
                {
                    RawBatchFraming.Write(message, record.Id, record.Payload.Span);
                    Return(record);
                }

                await socket.SendAsync(message.WrittenMemory, WebSocketMessageType.Binary, endOfMessage: true, CancellationToken.None).ConfigureAwait(false);
                message.ResetWrittenCount();
            }
        }
        finally
        {
            _queue.Writer.TryComplete();
            while (reader.TryRead(out var record))
            {
                Return(record);
            }
        }
    }

    private static void Return(in RawBatchRecord record)
    {
        if (record.Rented is { } rented)
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
    }
}
