using System.Buffers.Binary;
using System.Threading.Tasks.Sources;

namespace WsRest.Load;

/// <summary>
/// One load loop's reusable request on the raw WebSocket: a prebuilt message and an awaitable
/// completion. Single consumer: the owning loop awaits one send before it starts the next, so the
/// source is reset only after its previous result was read.
/// </summary>
internal sealed class RawRequest : IValueTaskSource<int>
{
    private readonly RawMultiplexClient _client;
    private ManualResetValueTaskSourceCore<int> _core = new() { RunContinuationsAsynchronously = true };
    private int _inFlight;
    private uint _sequence;

    public RawRequest(RawMultiplexClient client, int slot, ReadOnlySpan<byte> payload)
    {
        _client = client;
        Slot = slot;
        Message = new byte[RawEchoEndpoint.IdSize + payload.Length];
        payload.CopyTo(Message.AsSpan(RawEchoEndpoint.IdSize));
    }

    public int Slot { get; }

    /// <summary>[id][payload]; the id is rewritten for each send.</summary>
    public byte[] Message { get; }

    public ulong CurrentId { get; private set; }

    /// <summary>The payload alone (the batching client frames it with its own envelope).</summary>
    public ReadOnlyMemory<byte> Payload => Message.AsMemory(RawEchoEndpoint.IdSize);

    /// <summary>Sends the message and completes with the response payload length.</summary>
    public ValueTask<int> SendAsync()
    {
        _core.Reset();
        _sequence++;
        CurrentId = ((ulong)_sequence << 32) | (uint)Slot;
        BinaryPrimitives.WriteUInt64LittleEndian(Message, CurrentId);
        Interlocked.Exchange(ref _inFlight, 1);
        _client.Enqueue(this);
        return new ValueTask<int>(this, _core.Version);
    }

    public void Complete(int payloadLength)
    {
        if (Interlocked.Exchange(ref _inFlight, 0) == 1)
        {
            _core.SetResult(payloadLength);
        }
    }

    public void Fail(Exception error)
    {
        if (Interlocked.Exchange(ref _inFlight, 0) == 1)
        {
            _core.SetException(error);
        }
    }

    int IValueTaskSource<int>.GetResult(short token) => _core.GetResult(token);

    ValueTaskSourceStatus IValueTaskSource<int>.GetStatus(short token) => _core.GetStatus(token);

    void IValueTaskSource<int>.OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags)
        => _core.OnCompleted(continuation, state, token, flags);
}
