using System.Buffers;
using System.Diagnostics;
using System.Net.WebSockets;
using System.Threading.Channels;
using WsRest.Diagnostics;
using WsRest.Protocol;

namespace WsRest.Engine;

/// <summary>
/// One WebSocket after its handshake: a single read loop, a single writer fed by a channel, and a
/// table of streams. Role-neutral: both sides open streams (docs/architecture.md).
/// </summary>
internal sealed partial class WsRestPeer : IAsyncDisposable
{
    private Func<CancellationToken, ValueTask<WsRestPeer>>? _asPeerSource;
    private readonly WebSocket _socket;
    private readonly PeerOptions _options;
    // The channel's own capacity is not the bound: _backlog is, in bytes (frames differ in size by four
    // orders of magnitude), checked before each write. The bounded channel is chosen for memory: its
    // buffer is allocated on the first write and grows as needed, where the unbounded one preallocates a
    // 32-slot segment (1.5 KiB for this struct) per connection, idle or not (docs/benchmarks.md, "Idle connections").
    private readonly WriteBacklog _backlog;
    private readonly Channel<OutgoingFrame> _writes = Channel.CreateBounded<OutgoingFrame>(new BoundedChannelOptions(int.MaxValue)
    {
        SingleReader = true,
        SingleWriter = false,
        AllowSynchronousContinuations = false,
        FullMode = BoundedChannelFullMode.Wait,
    });

    // Guarded by _streamLock, reads included (TryGetStream): writers already serialized on it, and a
    // plain dictionary allocates nothing per stream where ConcurrentDictionary allocates a node for
    // each (about 48 B per request at each end, docs/benchmarks.md). The read loop's lookups take an
    // uncontended lock for a few instructions. No initial capacity: its arrays come with the first
    // stream, so a connection that never carries one holds none (idle memory, docs/benchmarks.md).
    private readonly Dictionary<ulong, WsRestStream> _streams = [];
    // Not readonly: a mutable struct (see ReceiveWindow).
    private ReceiveWindow _connectionReceiveWindow;
    private readonly SemaphoreSlim _localStreamSlots;
    private readonly CancellationTokenSource _closing = new();
    private readonly TaskCompletionSource _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _drained = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _remoteGoAwayReceived = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly int _maxDataPayload;
    private readonly int _inlineBodyLimit;
    private readonly KeyValuePair<string, object?> _roleTag;
    private readonly WsRestMetrics _metrics;

    // Handlers still running after their stream was reset (a "rapid reset" flood: REQUEST then
    // CANCEL) count here; past twice the stream limit new streams are refused, as Kestrel bounds
    // tracked HTTP/2 streams (CVE-2023-44487).
    private readonly int _maxRunningHandlers;

    private readonly Lock _streamLock = new();
    private long _nextLocalStreamId;
    private ulong _lastRemoteStreamId;
    private int _activeRemoteStreams;
    private int _activeStreams;
    private int _runningHandlers;
    private int _localGoAway;
    private volatile bool _remoteGoAway;
    private Exception? _closeReason;
    private bool _sendInProgress; // a message is being sent; read by the send-timeout timer
    private WebSocketCloseStatus _closeStatus = WebSocketCloseStatus.NormalClosure;
    private string _closeDescription = string.Empty;
    private int _started;
    private Heartbeat? _heartbeat;
    private long _pingSequence;
    private int _heartbeatTicking;
    private int _closeStarted;

    public WsRestPeer(WebSocket socket, PeerOptions options)
    {
        _socket = socket;
        _options = options;
        _nextLocalStreamId = options.Role == PeerRole.Client ? 1 : 2;
        _maxRunningHandlers = 2 * Math.Max(options.Local.MaxConcurrentStreams, 1);
        _roleTag = WsRestMetrics.Role(options.Role == PeerRole.Server);
        _metrics = options.Metrics;
        _connectionReceiveWindow = new ReceiveWindow(options.Local.InitialConnectionWindow);
        ConnectionSendWindow = new SendWindow(options.Remote.InitialConnectionWindow);
        _localStreamSlots = new SemaphoreSlim(Math.Max(options.Remote.MaxConcurrentStreams, 0));
        var maxFramePayload = options.Remote.MaxMessageSize - FrameCodec.MaxHeaderLength;
        _inlineBodyLimit = Math.Min(options.MaxInlineBody, maxFramePayload);

        // A JSON peer carries DATA as base64 (a third larger) and is typically a browser with a small
        // message limit: its DATA frames stay at the inline size, as the JSON codec's sizing rule says
        // (docs/protocol.md, wsrest.v1.json).
        var json = string.Equals(socket.SubProtocol, WsRestProtocol.JsonSubProtocol, StringComparison.Ordinal);
        var dataFrame = json ? options.MaxInlineBody : options.MaxDataFrame;
        _maxDataPayload = Math.Max(Math.Min(dataFrame, maxFramePayload), _inlineBodyLimit);
        _backlog = new WriteBacklog(options.PauseReadingAbove, options.MaxQueuedBytes, options.MaxQueuedReplies);
    }

    /// <summary>What waits in the write queue for the remote (exposed for tests and diagnostics).</summary>
    internal WriteBacklog Backlog => _backlog;

    public PeerSettings LocalSettings => _options.Local;

    /// <summary>
    /// How far auto-tuning may grow a stream's receive window (<see cref="ReceiveWindow"/>): three
    /// quarters of the connection window, Kestrel's ratio (768 KiB of 1 MiB), so one stream whose reader
    /// stalls after its window grew still leaves a quarter for the others. Never below the initial size.
    /// </summary>
    public int MaxStreamReceiveWindow => Math.Max(_options.Local.InitialStreamWindow, (int)(_options.Local.InitialConnectionWindow * 3L / 4));

    public PeerSettings RemoteSettings => _options.Remote;

    public SendWindow ConnectionSendWindow { get; }

    /// <summary>Largest frame payload the remote accepts.</summary>
    public int MaxFramePayload => _options.Remote.MaxMessageSize - FrameCodec.MaxHeaderLength;

    /// <summary>Largest DATA frame payload this side sends (<see cref="PeerOptions.MaxDataFrame"/>, within the remote's message limit).</summary>
    public int MaxDataPayload => _maxDataPayload;

    /// <summary>Largest body this side sends inline with its head.</summary>
    public int InlineBodyLimit => _inlineBodyLimit;

    /// <summary>Where this connection's metrics go; request metrics of its streams go there too.</summary>
    public WsRestMetrics Metrics => _metrics;

    /// <summary>
    /// How many DATA bytes one stream may have waiting for the writer (docs/architecture.md, fairness):
    /// two frames, so the sender fills the next while the writer sends one, and never less than the
    /// 64 KiB four inline-sized frames make.
    /// </summary>
    public int QueuedDataPerStream => Math.Max(2 * _maxDataPayload, 4 * _inlineBodyLimit);

    public int ActiveStreamCount => Volatile.Read(ref _activeStreams);

    /// <summary>Handlers of streams the remote opened that have not returned yet, reset streams' included (they count toward refusing new streams).</summary>
    internal int RunningHandlerCount => Volatile.Read(ref _runningHandlers);

    /// <summary>Completes when both loops have ended and the socket is disposed.</summary>
    public Task Completion => _completion.Task;

    /// <summary>Completes when the remote sends GOAWAY: no new streams here; the owner may start another connection.</summary>
    public Task RemoteGoAway => _remoteGoAwayReceived.Task;

    /// <summary>Why the connection ended; null for a clean close.</summary>
    public Exception? CloseReason => Volatile.Read(ref _closeReason);

    public bool IsClosing => _closing.IsCancellationRequested;

    /// <summary>This connection as the peer source of a request sender (made once: reverse calls send on a given connection).</summary>
    internal Func<CancellationToken, ValueTask<WsRestPeer>> AsPeerSource => _asPeerSource ??= _ => new ValueTask<WsRestPeer>(this);

    public bool IsAcceptingStreams => !_closing.IsCancellationRequested && Volatile.Read(ref _localGoAway) == 0 && !_remoteGoAway;

    /// <summary>Starts the read and write loops. Call once.</summary>
    public void Start()
    {
        if (Interlocked.Exchange(ref _started, 1) != 0)
        {
            throw new InvalidOperationException("The peer was already started.");
        }

        foreach (var extension in _options.Extensions)
        {
            extension.OnStarted(this);
        }

        _ = RunAsync();
    }

    private async Task RunAsync()
    {
        var opened = Stopwatch.GetTimestamp();
        _metrics.ActiveConnections.Add(1, _roleTag);
        var writer = Task.Run(WriteLoopAsync);
        var reader = Task.Run(ReadLoopAsync);
        var heartbeat = StartHeartbeat();
        try
        {
            await Task.WhenAll(reader, writer).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            heartbeat?.Leave(this);

            _socket.Dispose();
            AbortStreams(CreateClosedException());
            _closing.Cancel();
            foreach (var extension in _options.Extensions)
            {
                extension.OnConnectionClosed(CloseReason);
            }
        }
        finally
        {
            // Whatever cleanup did, owners waiting on Completion (reconnect, drains) must hear of the end.
            _metrics.ActiveConnections.Add(-1, _roleTag);
            _metrics.ConnectionDuration.Record(Stopwatch.GetElapsedTime(opened).TotalSeconds, _roleTag);
            _completion.TrySetResult();
        }
    }

    /// <summary>
    /// Queues a frame for the writer; false (and the payload returned to the pool) once the writer is
    /// closed, or when the queue is over its bound, which aborts the connection (<see cref="PeerOptions.MaxQueuedBytes"/>).
    /// </summary>
    public bool Enqueue(OutgoingFrame frame) => Enqueue(frame, force: false);

    /// <param name="frame">The frame; its payload array now belongs to the writer.</param>
    /// <param name="force">A frame that ends the connection (ERROR, GOAWAY) passes the bound.</param>
    private bool Enqueue(OutgoingFrame frame, bool force)
    {
        var cost = WriteBacklog.CostOf(frame);
        var pausesReading = WriteBacklog.PausesReading(frame);
        if (!_backlog.TryAdd(cost, pausesReading, force))
        {
            frame.ReturnPayload();
            OnWriteQueueFull();
            return false;
        }

        if (frame.IsReply)
        {
            // Counted before the writer can see the frame (it uncounts it when copied out).
            _backlog.AddReply();
        }

        if (_writes.Writer.TryWrite(frame))
        {
            return true;
        }

        _backlog.Remove(cost, frame.IsReply, pausesReading);
        frame.ReturnPayload();
        return false;
    }

    /// <summary>
    /// Queues a reply to a frame the remote sent (PONG, a refusing CANCEL). Read loop only. A remote that
    /// provokes more replies than it reads is flooding (the HTTP/2 ping and reset floods of 2019): the
    /// connection fails with EnhanceYourCalm instead of queueing without bound.
    /// </summary>
    private void EnqueueReply(OutgoingFrame reply, string what)
    {
        // Check, then count in Enqueue: only the read loop queues replies, so nobody adds in between.
        if (_backlog.Replies >= _backlog.MaxReplies)
        {
            throw new WsRestProtocolException(WsRestErrorCode.EnhanceYourCalm, $"The {_options.RemoteName} provoked more than {_backlog.MaxReplies} replies ({what}) without reading them: control-frame flood.");
        }

        Enqueue(reply);
    }

    private void OnWriteQueueFull()
    {
        // Kestrel's answer to a full HTTP/2 output queue: the peer is not reading what it is sent, and
        // nothing sent now could reach it before what already waits, so the connection goes at once.
        Abort(new IOException($"More than {_backlog.HardLimit} bytes wait to be written to the {_options.RemoteName}, which does not read them: the connection is aborted."));
    }

    // ---------------- heartbeat ----------------

    /// <summary>Joins the shared tick of this clock and period (<see cref="HeartbeatTicker"/>); null without a heartbeat.</summary>
    private HeartbeatTicker? StartHeartbeat()
    {
        if (_options.HeartbeatInterval <= TimeSpan.Zero)
        {
            return null;
        }

        var clock = _options.TimeProvider;
        _heartbeat = new Heartbeat(_options.HeartbeatInterval, _options.HeartbeatTimeout, clock.GetTimestamp(), clock.TimestampFrequency);

        // A quarter of the shorter period: detection lands within interval + timeout + one tick.
        var tick = TimeSpan.FromTicks(Math.Max(Math.Min(_options.HeartbeatInterval.Ticks, _options.HeartbeatTimeout.Ticks) / 4, TimeSpan.TicksPerMillisecond));
        return HeartbeatTicker.Join(this, clock, tick);
    }

    /// <summary>Called by the shared ticker, once per tick; a tick may still reach a peer that has just ended.</summary>
    internal void OnHeartbeatTick()
    {
        // Ticks can overlap when the pool is starved; the state machine must not.
        if (_closing.IsCancellationRequested || Interlocked.Exchange(ref _heartbeatTicking, 1) != 0)
        {
            return;
        }

        try
        {
            OnHeartbeatTickCore();
        }
        finally
        {
            Volatile.Write(ref _heartbeatTicking, 0);
        }
    }

    private void OnHeartbeatTickCore()
    {
        switch (_heartbeat!.OnTick(_options.TimeProvider.GetTimestamp()))
        {
            case Heartbeat.Action.SendPing:
                Enqueue(OutgoingFrame.Ping(Interlocked.Increment(ref _pingSequence)));
                break;
            case Heartbeat.Action.PeerDead:
                var silence = _options.HeartbeatInterval + _options.HeartbeatTimeout;
                Abort(new TimeoutException($"Nothing arrived from the {_options.RemoteName} for {silence.TotalSeconds:0.###} s (heartbeat interval + timeout): the connection is considered dead."));
                break;
        }
    }

    // ---------------- streams ----------------

    /// <summary>
    /// Reserves a slot for a stream this side initiates, waiting while the remote's concurrent-stream
    /// limit is reached. The stream gets its id only when its REQUEST is queued
    /// (<see cref="TryStartLocalStream"/>), so ids reach the wire in increasing order.
    /// </summary>
    public async ValueTask<WsRestStream> OpenStreamAsync(CancellationToken cancellationToken)
    {
        ThrowIfNotAccepting();
        if (_options.Remote.MaxConcurrentStreams == 0)
        {
            throw new WsRestConnectionClosedException($"The {_options.RemoteName} accepts no requests on this connection (it announced a concurrent-stream limit of 0).", notProcessed: false);
        }

        if (!_localStreamSlots.Wait(0, CancellationToken.None))
        {
            // No token linked to the connection's per waiting request: every slot is held by a stream
            // when anyone waits, and closing ends those streams, which frees their slots; each waiter
            // that wakes to a closed connection passes its slot on to the next and fails.
            await _localStreamSlots.WaitAsync(cancellationToken).ConfigureAwait(false);
            if (_closing.IsCancellationRequested)
            {
                _localStreamSlots.Release();
                throw CreateClosedException(notSent: true);
            }
        }

        return new WsRestStream(this, isLocal: true);
    }

    /// <summary>
    /// Assigns the next local stream id, registers the stream and queues its REQUEST frame in one step
    /// under the stream lock, so a REQUEST with a lower id can never follow one with a higher id
    /// (a receiver treats that as id reuse, docs/protocol.md §3.3). False once the connection no
    /// longer accepts streams (closing, or GOAWAY either way). Takes ownership of <paramref name="head"/> either way.
    /// </summary>
    internal bool TryStartLocalStream(WsRestStream stream, FrameFlags flags, byte[] head, int length)
    {
        lock (_streamLock)
        {
            // A reset that won the race (cancellation as the request starts) must not be sent: it would
            // leave a stream nobody awaits in both tables.
            if (!IsAcceptingStreams || stream.IsResetOrRemoved)
            {
                BytePool.Return(head);
                return false;
            }

            var id = (ulong)_nextLocalStreamId;
            _nextLocalStreamId += 2;
            stream.AssignId(id);
            _streams[id] = stream;
            Interlocked.Increment(ref _activeStreams);
            _metrics.ActiveStreams.Add(1, _roleTag);
            if (!Enqueue(OutgoingFrame.WithPayload(FrameType.Request, flags, id, head, length), force: false))
            {
                _streams.Remove(id);
                Interlocked.Decrement(ref _activeStreams);
                _metrics.ActiveStreams.Add(-1, _roleTag);
                return false;
            }

            return true;
        }
    }

    internal void ReleaseLocalSlot() => _localStreamSlots.Release();

    /// <summary>Sends CANCEL for a local stream only if its REQUEST went out; decided under the lock that starts streams.</summary>
    internal void CancelIfStarted(WsRestStream stream, WsRestErrorCode code)
    {
        lock (_streamLock)
        {
            if (stream.Id != 0)
            {
                Enqueue(OutgoingFrame.Cancel(stream.Id, code));
            }
        }
    }

    internal void RemoveStream(WsRestStream stream)
    {
        if (stream.IsLocal)
        {
            ReleaseLocalSlot();
        }

        bool removed;
        lock (_streamLock)
        {
            // Under the start lock: a stream being started now is either not yet reset (and will be
            // removed here once its id is set) or sees the reset and never starts.
            removed = stream.Id != 0 && _streams.TryGetValue(stream.Id, out var registered) && ReferenceEquals(registered, stream) && _streams.Remove(stream.Id);
        }

        if (!removed)
        {
            return;
        }

        if (!stream.IsLocal)
        {
            Interlocked.Decrement(ref _activeRemoteStreams);
        }

        _metrics.ActiveStreams.Add(-1, _roleTag);

        if (Interlocked.Decrement(ref _activeStreams) == 0 && (Volatile.Read(ref _localGoAway) != 0 || _remoteGoAway))
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
        ulong lastStreamId;
        bool drainedNow;
        bool first;
        lock (_streamLock)
        {
            // Under the lock the read loop takes to accept a REQUEST: the id announced here is exactly
            // the last stream accepted, so the peer's "not processed, retry" is never wrong (§6.2).
            first = Interlocked.Exchange(ref _localGoAway, 1) == 0;
            lastStreamId = _lastRemoteStreamId;
            drainedNow = Volatile.Read(ref _activeStreams) == 0;
        }

        if (first)
        {
            var payload = new PooledBufferWriter(64);
            ControlFrames.WriteGoAway(payload, lastStreamId, WsRestErrorCode.GoingAway, reason);
            var buffer = payload.DetachBuffer(out var length);
            Enqueue(OutgoingFrame.Raw(buffer, length), force: true);
        }

        if (drainedNow)
        {
            _drained.TrySetResult();
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

        // Order matters: stop new streams, then seal the writer (nothing may follow an ERROR or the
        // close), then fail what is in flight.
        _closing.Cancel();
        _writes.Writer.TryComplete();
        AbortStreams(reason is null ? CreateClosedException() : CreateConnectionException(reason));

        // A peer that never answers our close must not keep the socket open forever.
        _ = AbortAfterAsync(_options.CloseTimeout);
    }

    /// <summary>Tears the connection down at once, without a close handshake.</summary>
    public void Abort(Exception reason)
    {
        Interlocked.CompareExchange(ref _closeReason, reason, null);
        Interlocked.Exchange(ref _closeStarted, 1);
        _closing.Cancel();
        _writes.Writer.TryComplete();
        _backlog.ReleaseWaiter();
        AbortStreams(CreateConnectionException(reason));
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
    }

    /// <param name="notSent">The request never reached the wire, so it is marked as not processed (safe to send again).</param>
    internal WsRestConnectionClosedException CreateClosedException(bool notSent = false)
    {
        var reason = Volatile.Read(ref _closeReason);
        if (reason is not null)
        {
            return notSent
                ? new WsRestConnectionClosedException($"The WsRest connection to the {_options.RemoteName} failed: {reason.Message}", notProcessed: true, reason)
                : CreateConnectionException(reason);
        }

        var message = _remoteGoAway
            ? $"The {_options.RemoteName} is shutting down (GOAWAY); the request was not sent."
            : $"The WsRest connection to the {_options.RemoteName} is closed.";
        return new WsRestConnectionClosedException(message, notSent);
    }

    private WsRestConnectionClosedException CreateConnectionException(Exception reason)
        => reason as WsRestConnectionClosedException
           ?? new WsRestConnectionClosedException($"The WsRest connection to the {_options.RemoteName} failed: {reason.Message}", notProcessed: false, reason);

    private void ThrowIfNotAccepting()
    {
        if (!IsAcceptingStreams)
        {
            throw CreateClosedException(notSent: true);
        }
    }

    /// <summary>The stream registered under <paramref name="id"/>, if any.</summary>
    private bool TryGetStream(ulong id, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out WsRestStream? stream)
    {
        lock (_streamLock)
        {
            return _streams.TryGetValue(id, out stream);
        }
    }

    /// <summary>The streams registered now (a copy: what is done with them may remove them).</summary>
    private WsRestStream[] SnapshotStreams()
    {
        lock (_streamLock)
        {
            return _streams.Count == 0 ? [] : [.. _streams.Values];
        }
    }

    private void AbortStreams(Exception reason)
    {
        foreach (var stream in SnapshotStreams())
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

}
