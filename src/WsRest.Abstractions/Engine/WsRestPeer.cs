using System.Buffers;
using System.Collections.Concurrent;
using System.Net.Http;
using System.Net.WebSockets;
using System.Threading.Channels;
using WsRest.Protocol;

namespace WsRest.Engine;

/// <summary>
/// One WebSocket after its handshake: a single read loop, a single writer fed by a channel, and a
/// table of streams. Role-neutral: both sides open streams (docs/architecture.md).
/// </summary>
internal sealed partial class WsRestPeer : IAsyncDisposable
{
    private readonly WebSocket _socket;
    private readonly PeerOptions _options;
    private readonly Channel<OutgoingFrame> _writes = Channel.CreateUnbounded<OutgoingFrame>(new UnboundedChannelOptions
    {
        SingleReader = true,
        SingleWriter = false,
        AllowSynchronousContinuations = false,
    });

    private readonly ConcurrentDictionary<ulong, WsRestStream> _streams = new();
    private readonly ReceiveWindow _connectionReceiveWindow;
    private readonly SemaphoreSlim _localStreamSlots;
    private readonly CancellationTokenSource _closing = new();
    private readonly TaskCompletionSource _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _drained = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly int _maxDataPayload;

    private long _nextLocalStreamId;
    private ulong _lastRemoteStreamId;
    private int _activeRemoteStreams;
    private int _activeStreams;
    private volatile bool _localGoAway;
    private volatile bool _remoteGoAway;
    private ulong _remoteGoAwayLastStreamId = ulong.MaxValue;
    private Exception? _closeReason;
    private WebSocketCloseStatus _closeStatus = WebSocketCloseStatus.NormalClosure;
    private string _closeDescription = string.Empty;
    private int _started;
    private int _closeStarted;

    public WsRestPeer(WebSocket socket, PeerOptions options)
    {
        _socket = socket;
        _options = options;
        _nextLocalStreamId = options.Role == PeerRole.Client ? 1 : 2;
        _connectionReceiveWindow = new ReceiveWindow(options.Local.InitialConnectionWindow);
        ConnectionSendWindow = new SendWindow(options.Remote.InitialConnectionWindow);
        _localStreamSlots = new SemaphoreSlim(Math.Max(options.Remote.MaxConcurrentStreams, 0));
        _maxDataPayload = Math.Min(options.ChunkSize, options.Remote.MaxMessageSize - FrameCodec.MaxHeaderLength);
    }

    public PeerSettings LocalSettings => _options.Local;

    public PeerSettings RemoteSettings => _options.Remote;

    public SendWindow ConnectionSendWindow { get; }

    /// <summary>Largest frame payload the remote accepts.</summary>
    public int MaxFramePayload => _options.Remote.MaxMessageSize - FrameCodec.MaxHeaderLength;

    public int MaxDataPayload => _maxDataPayload;

    public int InlineBodyLimit => _maxDataPayload;

    /// <summary>How many DATA bytes one stream may have waiting for the writer (docs/architecture.md, fairness).</summary>
    public int QueuedDataPerStream => 4 * _maxDataPayload;

    public int ActiveStreamCount => Volatile.Read(ref _activeStreams);

    /// <summary>Completes when both loops have ended and the socket is disposed.</summary>
    public Task Completion => _completion.Task;

    /// <summary>Why the connection ended; null for a clean close.</summary>
    public Exception? CloseReason => Volatile.Read(ref _closeReason);

    public bool IsClosing => _closing.IsCancellationRequested;

    public bool IsAcceptingStreams => !_closing.IsCancellationRequested && !_localGoAway && !_remoteGoAway;

    /// <summary>Starts the read and write loops. Call once.</summary>
    public void Start()
    {
        if (Interlocked.Exchange(ref _started, 1) != 0)
        {
            throw new InvalidOperationException("The peer was already started.");
        }

        _ = RunAsync();
    }

    private async Task RunAsync()
    {
        var writer = Task.Run(WriteLoopAsync);
        var reader = Task.Run(ReadLoopAsync);
        await Task.WhenAll(reader, writer).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        _socket.Dispose();
        AbortStreams(CreateClosedException());
        _closing.Cancel();
        _completion.TrySetResult();
    }

    /// <summary>Queues a frame for the writer; false (and the payload returned to the pool) once the writer is closed.</summary>
    public bool Enqueue(OutgoingFrame frame)
    {
        if (_writes.Writer.TryWrite(frame))
        {
            return true;
        }

        frame.ReturnPayload();
        return false;
    }

    // ---------------- streams ----------------

    /// <summary>Opens a stream this side initiates, waiting while the remote's concurrent-stream limit is reached.</summary>
    public async ValueTask<WsRestStream> OpenStreamAsync(CancellationToken cancellationToken)
    {
        ThrowIfNotAccepting();
        if (!_localStreamSlots.Wait(0, CancellationToken.None))
        {
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _closing.Token);
            try
            {
                await _localStreamSlots.WaitAsync(linked.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                throw CreateClosedException();
            }
        }

        try
        {
            ThrowIfNotAccepting();
            var id = (ulong)Interlocked.Add(ref _nextLocalStreamId, 2) - 2;
            var stream = new WsRestStream(this, id, isLocal: true);
            _streams[id] = stream;
            Interlocked.Increment(ref _activeStreams);
            if (_closing.IsCancellationRequested)
            {
                // Lost a race with the close: AbortStreams may have run before the add.
                stream.Abort(CreateClosedException());
            }

            return stream;
        }
        catch
        {
            _localStreamSlots.Release();
            throw;
        }
    }

    internal void RemoveStream(WsRestStream stream)
    {
        if (!_streams.TryRemove(new KeyValuePair<ulong, WsRestStream>(stream.Id, stream)))
        {
            return;
        }

        if (stream.IsLocal)
        {
            _localStreamSlots.Release();
        }
        else
        {
            Interlocked.Decrement(ref _activeRemoteStreams);
        }

        if (Interlocked.Decrement(ref _activeStreams) == 0 && (_localGoAway || _remoteGoAway))
        {
            _drained.TrySetResult();
        }
    }

    internal void ReleaseConnectionWindow(int count)
    {
        var increment = _connectionReceiveWindow.Release(count);
        if (increment > 0)
        {
            Enqueue(OutgoingFrame.Window(0, increment));
        }
    }

    // ---------------- shutdown ----------------

    /// <summary>
    /// Graceful shutdown (docs/protocol.md §6.2): sends GOAWAY, refuses new streams, lets the streams
    /// in flight finish (up to <paramref name="drainTimeout"/>), then closes the WebSocket.
    /// </summary>
    public async Task GoAwayAsync(string reason, TimeSpan drainTimeout)
    {
        if (!_localGoAway)
        {
            _localGoAway = true;
            var payload = new PooledBufferWriter(64);
            ControlFrames.WriteGoAway(payload, Volatile.Read(ref _lastRemoteStreamId), WsRestErrorCode.GoingAway, reason);
            var frame = new FrameBytes(payload);
            Enqueue(frame.ToOutgoing());
            if (Volatile.Read(ref _activeStreams) == 0)
            {
                _drained.TrySetResult();
            }
        }

        try
        {
            await _drained.Task.WaitAsync(drainTimeout, _options.TimeProvider).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            // Streams still running past the drain timeout are cut off by the close below.
        }

        Close(WebSocketCloseStatus.EndpointUnavailable, reason, null);
        await Completion.ConfigureAwait(false);
    }

    /// <summary>Closes the connection: queued frames are still written, then the WebSocket close handshake runs.</summary>
    public void Close(WebSocketCloseStatus status, string description, Exception? reason)
    {
        if (Interlocked.Exchange(ref _closeStarted, 1) != 0)
        {
            return;
        }

        _closeStatus = status;
        _closeDescription = TruncateCloseDescription(description);
        Interlocked.CompareExchange(ref _closeReason, reason, null);
        AbortStreams(reason is null ? CreateClosedException() : CreateConnectionException(reason));
        _closing.Cancel();
        _writes.Writer.TryComplete();

        // A peer that never answers our close must not keep the socket open forever.
        _ = AbortAfterAsync(_options.CloseTimeout);
    }

    /// <summary>Tears the connection down at once, without a close handshake.</summary>
    public void Abort(Exception reason)
    {
        Interlocked.CompareExchange(ref _closeReason, reason, null);
        Interlocked.Exchange(ref _closeStarted, 1);
        AbortStreams(CreateConnectionException(reason));
        _closing.Cancel();
        _writes.Writer.TryComplete();
        _socket.Abort();
    }

    public async ValueTask DisposeAsync()
    {
        Close(WebSocketCloseStatus.NormalClosure, "disposed", null);
        if (Volatile.Read(ref _started) == 0)
        {
            _socket.Dispose();
            _completion.TrySetResult();
        }

        await Completion.ConfigureAwait(false);
        _closing.Dispose();
    }

    internal HttpRequestException CreateClosedException()
    {
        var reason = Volatile.Read(ref _closeReason);
        if (reason is not null)
        {
            return CreateConnectionException(reason);
        }

        if (_remoteGoAway)
        {
            return new HttpRequestException(HttpRequestError.ConnectionError, $"The {_options.RemoteName} is shutting down (GOAWAY); the request was not sent.");
        }

        return new HttpRequestException(HttpRequestError.ConnectionError, $"The WsRest connection to the {_options.RemoteName} is closed.");
    }

    private HttpRequestException CreateConnectionException(Exception reason)
        => reason as HttpRequestException
           ?? new HttpRequestException(HttpRequestError.ConnectionError, $"The WsRest connection to the {_options.RemoteName} failed: {reason.Message}", reason);

    private void ThrowIfNotAccepting()
    {
        if (!IsAcceptingStreams)
        {
            throw CreateClosedException();
        }
    }

    private void AbortStreams(Exception reason)
    {
        foreach (var stream in _streams.Values)
        {
            stream.Abort(reason);
        }

        ConnectionSendWindow.Abort(reason);
    }

    private async Task AbortAfterAsync(TimeSpan delay)
    {
        try
        {
            await Completion.WaitAsync(delay, _options.TimeProvider).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            _socket.Abort();
        }
    }

    private static string TruncateCloseDescription(string description)
    {
        // RFC 6455 §5.5: a control frame payload is at most 125 bytes, 2 of them the status code.
        return System.Text.Encoding.UTF8.GetByteCount(description) <= 123
            ? description
            : description[..Math.Min(description.Length, 60)];
    }

    /// <summary>A pre-encoded frame (type byte, flags, stream id and payload) built by a control-frame codec.</summary>
    private readonly struct FrameBytes(PooledBufferWriter writer)
    {
        public OutgoingFrame ToOutgoing()
        {
            var buffer = writer.DetachBuffer(out var length);
            return OutgoingFrame.Raw(buffer, length);
        }
    }
}
