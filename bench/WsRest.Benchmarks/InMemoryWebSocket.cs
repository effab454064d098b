using System.Net.WebSockets;
using System.Threading.Tasks.Sources;

namespace WsRest.Benchmarks;

/// <summary>
/// A WebSocket with no network behind it, so a benchmark measures the peer's own per-frame work:
/// sends are copied into one reusable buffer and counted; incoming messages are handed to the
/// peer's read loop by <see cref="Deliver"/>. Allocates nothing per message once warm.
/// </summary>
/// <remarks>
/// One reader (the peer's read loop) and one sender (the peer's writer loop), as the peer guarantees.
/// A pending receive completes with its continuation run inline, so <see cref="Deliver"/> returns only
/// after the read loop has decoded and dispatched the whole message and is waiting again: the reader
/// benchmark needs no thread hop and no wait.
/// </remarks>
internal sealed class InMemoryWebSocket : WebSocket, IValueTaskSource<ValueWebSocketReceiveResult>
{
    private readonly byte[] _sent;
    private readonly Lock _receiveLock = new();
    private readonly ManualResetEventSlim _sentEnough = new(initialState: false, spinCount: 1000);
    private ManualResetValueTaskSourceCore<ValueWebSocketReceiveResult> _receive = new() { RunContinuationsAsynchronously = false };
    private Memory<byte> _receiveBuffer;
    private bool _receivePending;
    private byte[] _incoming = [];
    private int _incomingOffset;
    private long _bytesSent;
    private long _messagesSent;
    private long _sendTarget = long.MaxValue;
    private volatile WebSocketState _state = WebSocketState.Open;

    /// <param name="maxMessage">Largest message the peer may send (its remote's MaxMessageSize).</param>
    public InMemoryWebSocket(int maxMessage)
    {
        _sent = new byte[maxMessage];
    }

    /// <summary>True while the read loop waits for the next message (<see cref="Deliver"/> may be called).</summary>
    public bool IsReceiving
    {
        get
        {
            lock (_receiveLock)
            {
                return _receivePending;
            }
        }
    }

    public long BytesSent => Interlocked.Read(ref _bytesSent);

    public long MessagesSent => Interlocked.Read(ref _messagesSent);

    public override WebSocketCloseStatus? CloseStatus => _state == WebSocketState.Open ? null : WebSocketCloseStatus.NormalClosure;

    public override string? CloseStatusDescription => null;

    public override WebSocketState State => _state;

    public override string? SubProtocol => WsRestProtocol.SubProtocol;

    /// <summary>Arms <see cref="WaitUntilSent"/>: it returns once <paramref name="bytes"/> more bytes have been sent from now.</summary>
    public void ExpectSent(long bytes)
    {
        _sentEnough.Reset();
        Volatile.Write(ref _sendTarget, BytesSent + bytes);
        if (BytesSent >= Volatile.Read(ref _sendTarget))
        {
            _sentEnough.Set();
        }
    }

    /// <summary>Blocks (spinning first) until the bytes announced by <see cref="ExpectSent"/> went out.</summary>
    public void WaitUntilSent()
    {
        if (!_sentEnough.Wait(TimeSpan.FromSeconds(10)))
        {
            throw new TimeoutException($"The writer sent {BytesSent} bytes; {Volatile.Read(ref _sendTarget)} were expected.");
        }
    }

    /// <summary>
    /// Hands one whole message to the read loop, which must be waiting in a receive (it always is
    /// between messages). Returns once the loop has processed the message.
    /// </summary>
    public void Deliver(byte[] message)
    {
        lock (_receiveLock)
        {
            if (!_receivePending)
            {
                throw new InvalidOperationException("The read loop is not waiting for a message.");
            }

            _incoming = message;
            _incomingOffset = 0;
            _receivePending = false;
        }

        _receive.SetResult(CopyIncoming(_receiveBuffer.Span));
    }

    public override ValueTask<ValueWebSocketReceiveResult> ReceiveAsync(Memory<byte> buffer, CancellationToken cancellationToken)
    {
        if (_incomingOffset < _incoming.Length)
        {
            // The rest of a message larger than the loop's buffer.
            return new(CopyIncoming(buffer.Span));
        }

        // Under the lock that closing takes, so a close can never slip between the state check and
        // the receive becoming pending (the loop would then wait forever).
        lock (_receiveLock)
        {
            if (_state != WebSocketState.Open)
            {
                return new(new ValueWebSocketReceiveResult(0, WebSocketMessageType.Close, endOfMessage: true));
            }

            _receive.Reset();
            _receiveBuffer = buffer;
            _receivePending = true;
            return new(this, _receive.Version);
        }
    }

    public override ValueTask SendAsync(ReadOnlyMemory<byte> buffer, WebSocketMessageType messageType, bool endOfMessage, CancellationToken cancellationToken)
    {
        // Copying is what a real socket write would cost at least; the content is not kept.
        buffer.Span.CopyTo(_sent);
        Interlocked.Increment(ref _messagesSent);
        if (Interlocked.Add(ref _bytesSent, buffer.Length) >= Volatile.Read(ref _sendTarget))
        {
            _sentEnough.Set();
        }

        return ValueTask.CompletedTask;
    }

    public override Task SendAsync(ArraySegment<byte> buffer, WebSocketMessageType messageType, bool endOfMessage, CancellationToken cancellationToken)
        => SendAsync(buffer.AsMemory(), messageType, endOfMessage, cancellationToken).AsTask();

    public override async Task<WebSocketReceiveResult> ReceiveAsync(ArraySegment<byte> buffer, CancellationToken cancellationToken)
    {
        var result = await ReceiveAsync(buffer.AsMemory(), cancellationToken).ConfigureAwait(false);
        return new WebSocketReceiveResult(result.Count, result.MessageType, result.EndOfMessage);
    }

    /// <summary>The peer's close is answered at once: a waiting read loop sees the close message and ends.</summary>
    public override Task CloseOutputAsync(WebSocketCloseStatus closeStatus, string? statusDescription, CancellationToken cancellationToken)
    {
        CompleteAsClosed();
        return Task.CompletedTask;
    }

    public override Task CloseAsync(WebSocketCloseStatus closeStatus, string? statusDescription, CancellationToken cancellationToken)
        => CloseOutputAsync(closeStatus, statusDescription, cancellationToken);

    public override void Abort() => CompleteAsClosed();

    public override void Dispose()
    {
        CompleteAsClosed();
        _sentEnough.Dispose();
    }

    ValueWebSocketReceiveResult IValueTaskSource<ValueWebSocketReceiveResult>.GetResult(short token) => _receive.GetResult(token);

    ValueTaskSourceStatus IValueTaskSource<ValueWebSocketReceiveResult>.GetStatus(short token) => _receive.GetStatus(token);

    void IValueTaskSource<ValueWebSocketReceiveResult>.OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags)
        => _receive.OnCompleted(continuation, state, token, flags);

    private ValueWebSocketReceiveResult CopyIncoming(Span<byte> destination)
    {
        var count = Math.Min(destination.Length, _incoming.Length - _incomingOffset);
        _incoming.AsSpan(_incomingOffset, count).CopyTo(destination);
        _incomingOffset += count;
        return new ValueWebSocketReceiveResult(count, WebSocketMessageType.Binary, endOfMessage: _incomingOffset == _incoming.Length);
    }

    private void CompleteAsClosed()
    {
        bool wake;
        lock (_receiveLock)
        {
            _state = WebSocketState.Closed;
            wake = _receivePending;
            _receivePending = false;
        }

        if (wake)
        {
            _receive.SetResult(new ValueWebSocketReceiveResult(0, WebSocketMessageType.Close, endOfMessage: true));
        }
    }
}
