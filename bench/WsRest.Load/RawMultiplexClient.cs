using System.Net.WebSockets;

namespace WsRest.Load;

/// <summary>
/// What the two raw WebSocket clients share (<see cref="RawWebSocketClient"/>, one message per request, and
/// <see cref="RawBatchClient"/>, many requests per message): ONE WebSocket, a single writer loop and a single
/// reader loop, and one reusable <see cref="RawRequest"/> per load loop, found again by its slot.
/// </summary>
internal abstract class RawMultiplexClient : IAsyncDisposable
{
    private readonly List<RawRequest> _requests = [];
    private readonly Lock _lock = new();
    private RawRequest[] _slots = [];
    private volatile Exception? _closed;
    private Task _reader = Task.CompletedTask;
    private Task _writer = Task.CompletedTask;

    protected ClientWebSocket Socket { get; } = new();

    /// <summary>The requests by slot (a snapshot: requests are only added, before the load starts).</summary>
    protected RawRequest[] Slots => Volatile.Read(ref _slots);

    /// <summary>How many requests (load loops) the client can tell apart.</summary>
    protected virtual int MaxRequests => int.MaxValue;

    public async Task ConnectAsync(Uri endpoint, CancellationToken cancellationToken)
    {
        Socket.Options.KeepAliveInterval = TimeSpan.Zero;
        await Socket.ConnectAsync(endpoint, cancellationToken).ConfigureAwait(false);
        _reader = Task.Run(ReadLoopAsync, CancellationToken.None);
        _writer = Task.Run(WriteLoopAsync, CancellationToken.None);
    }

    /// <summary>A reusable request for one load loop (the payload is fixed; empty asks for the small answer).</summary>
    public RawRequest CreateRequest(ReadOnlySpan<byte> payload)
    {
        lock (_lock)
        {
            if (_requests.Count == MaxRequests)
            {
                throw new InvalidOperationException($"{GetType().Name} tells at most {MaxRequests} requests apart.");
            }

            var request = new RawRequest(this, _requests.Count, payload);
            _requests.Add(request);
            Volatile.Write(ref _slots, [.. _requests]);
            return request;
        }
    }

    internal void Enqueue(RawRequest request)
    {
        // Either this sees the close, or the closing reader sees the request in flight and fails it.
        if (_closed is { } closed || !TryQueue(request))
        {
            request.Fail(_closed ?? new WebSocketException("The raw WebSocket is closed."));
        }
    }

    /// <summary>Hands the request to the writer loop; false once the queue is completed.</summary>
    protected abstract bool TryQueue(RawRequest request);

    /// <summary>Completes the writer's queue: nothing more is accepted.</summary>
    protected abstract void CompleteQueue();

    protected abstract Task WriteLoopAsync();

    protected abstract Task ReadLoopAsync();

    /// <summary>Ends the connection for a reason every request in flight (and every later one) fails with.</summary>
    protected void Close(Exception reason)
    {
        _closed ??= reason;
        Interlocked.MemoryBarrier();
        CompleteQueue();
        Socket.Abort();
        foreach (var request in Slots)
        {
            request.Fail(reason);
        }
    }

    public async ValueTask DisposeAsync()
    {
        Close(new ObjectDisposedException(GetType().Name));
        await Task.WhenAll(_reader, _writer).WaitAsync(TimeSpan.FromSeconds(5)).ConfigureAwait(false);
        Socket.Dispose();
    }
}
