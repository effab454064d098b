using System.Net.WebSockets;

namespace WsRest.Load;

/// <summary>
/// The client of <see cref="RawBatchEchoEndpoint"/>: requests go out through a <see cref="RawBatchWriter"/>
/// (many records per message), responses come back the same way and are matched to requests by id.
/// </summary>
internal sealed class RawBatchClient : RawMultiplexClient
{
    // The wire id is the slot in the low bits and the request's sequence number above: 30 bits, a 4-byte
    // varint, as a WsRest stream id is once a connection has carried 8,192 requests.
    private const int SlotBits = 12;
    private const uint SlotMask = (1u << SlotBits) - 1;

    private readonly RawBatchWriter _writer;

    public RawBatchClient() => _writer = new RawBatchWriter(Socket);

    protected override int MaxRequests => 1 << SlotBits;

    protected override bool TryQueue(RawRequest request) => _writer.TryWrite(new RawBatchRecord(WireId(request), request.Payload, null));

    protected override void CompleteQueue() => _writer.Complete();

    protected override async Task WriteLoopAsync()
    {
        try
        {
            await _writer.RunAsync().ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            Close(ex);
        }
    }

    protected override async Task ReadLoopAsync()
    {
        var buffer = new byte[RawBatchFraming.MaxMessage];
        try
        {
            while (true)
            {
                var length = await WholeMessage.ReceiveAsync(Socket, buffer, CancellationToken.None).ConfigureAwait(false);
                CompleteResponses(buffer.AsSpan(0, length));
            }
        }
        catch (Exception ex)
        {
            Close(ex);
        }
    }

    private void CompleteResponses(ReadOnlySpan<byte> message)
    {
        var slots = Slots;
        while (RawBatchFraming.TryRead(ref message, out var id, out var payload))
        {
            var slot = (int)(id & SlotMask);
            if (slot >= slots.Length || WireId(slots[slot]) != id)
            {
                throw new WebSocketException($"Unexpected raw batch response id {id:x8}.");
            }

            // The answer is checked byte for byte (cheap beside a request): the limit row must not count wrong answers.
            var request = slots[slot];
            var expected = request.Payload.IsEmpty ? Payloads.SmallJson : request.Payload.Span;
            if (payload.SequenceEqual(expected))
            {
                request.Complete(payload.Length);
            }
            else
            {
                request.Fail(new InvalidDataException($"raw-batch: a {payload.Length}-byte answer that is not the expected {expected.Length} bytes."));
            }
        }
    }

    private static uint WireId(RawRequest request)
        => (uint)(((request.CurrentId >> 32) << SlotBits) | (request.CurrentId & SlotMask)) & 0x3FFF_FFFF;
}
