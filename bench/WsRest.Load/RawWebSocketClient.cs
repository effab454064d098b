using System.Buffers.Binary;
using System.Net.WebSockets;
using System.Threading.Channels;

namespace WsRest.Load;

/// <summary>
/// A tiny multiplexing client for <see cref="RawEchoEndpoint"/> on ONE WebSocket: a single writer
/// loop sends each queued request as a message of its own (no batching), a single reader loop matches
/// responses to requests by id.
/// </summary>
internal sealed class RawWebSocketClient : RawMultiplexClient
{
    // Bounded in practice: each load loop has at most one request queued or in flight.
    private readonly Channel<RawRequest> _sendQueue = Channel.CreateUnbounded<RawRequest>(new UnboundedChannelOptions { SingleReader = true });

    protected override bool TryQueue(RawRequest request) => _sendQueue.Writer.TryWrite(request);

    protected override void CompleteQueue() => _sendQueue.Writer.TryComplete();

    protected override async Task WriteLoopAsync()
    {
        try
        {
            var reader = _sendQueue.Reader;
            while (await reader.WaitToReadAsync().ConfigureAwait(false))
            {
                while (reader.TryRead(out var request))
                {
                    await Socket.SendAsync(request.Message, WebSocketMessageType.Binary, endOfMessage: true, CancellationToken.None).ConfigureAwait(false);
                }
            }
        }
        catch (Exception ex)
        {
            Close(ex);
        }
    }

    protected override async Task ReadLoopAsync()
    {
        var buffer = new byte[RawEchoEndpoint.MaxMessage];
        try
        {
            while (true)
            {
                var length = await WholeMessage.ReceiveAsync(Socket, buffer, CancellationToken.None).ConfigureAwait(false);
                var id = BinaryPrimitives.ReadUInt64LittleEndian(buffer);
                var slots = Slots;
                var slot = (int)(uint)id;
                if (length < RawEchoEndpoint.IdSize || slot >= slots.Length || slots[slot].CurrentId != id)
                {
                    throw new WebSocketException($"Unexpected raw response id {id:x16}.");
                }

                slots[slot].Complete(length - RawEchoEndpoint.IdSize);
            }
        }
        catch (Exception ex)
        {
            Close(ex);
        }
    }
}
