using System.Diagnostics.Metrics;
using System.Net.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Polly;
using WsRest.Diagnostics;
using WsRest.Engine;
using WsRest.Http;

namespace WsRest.Client;

/// <summary>
/// One persistent WsRest connection to a server: it owns the WebSocket, runs the handshake,
/// multiplexes every request sent through it, keeps the connection alive and reconnects when it is
/// lost. Share one instance per endpoint; send requests with an <see cref="HttpClient"/> over a
/// <see cref="WebSocketMessageHandler"/>.
/// </summary>
public sealed partial class WsRestClient : IAsyncDisposable
{
    private readonly WsRestClientOptions _options;
    private Func<CancellationToken, ValueTask<WsRestPeer>>? _peerSource;
    private Func<CancellationToken, ValueTask<WsRestPeer>>? _waitForReadyPeerSource;
    private readonly ILogger _logger;
    private readonly TimeProvider _timeProvider;
    private readonly Lock _lock = new();

    // Connects run on the client's own token (cancelled by DisposeAsync), never on a caller's: one
    // caller giving up must not fail the connection for everyone else.
    private readonly CancellationTokenSource _disposing = new();
    private readonly EventBroadcaster<WsRestClientEvent> _events = new(256);
    private readonly HashSet<WsRestPeer> _livePeers = [];
    // Built on the first reconnect: building a Polly pipeline validates its options with DataAnnotations
    // (about 5 KB and tens of µs per client), which a client that never loses its connection never needs
    // (docs/benchmarks.md, "Connection set-up and idle memory, issue 17"). Only ReconnectAsync reads it,
    // and one reconnect runs at a time.
    private ResiliencePipeline? _reconnectPipeline;
    private readonly Dictionary<string, string> _metadata;
    private readonly ClientPubSub _pubSub;

    private WsRestPeer? _peer;
    private Task? _firstConnect;
    private Task? _reconnect;

    // Requests waiting for a connection, in two groups (issue 13, gRPC's wait-for-ready): both are
    // released by the next connection; when an attempt fails, _nextPeer's fail at once with that error
    // and _nextPeerWhenReady's wait on through the backoff.
    private TaskCompletionSource<WsRestPeer>? _nextPeer;
    private TaskCompletionSource<WsRestPeer>? _nextPeerWhenReady;

    // True while a connection attempt runs; _lastConnectError is the latest attempt's failure while the
    // client backs off before the next one (null once an attempt succeeds).
    private bool _attempting;
    private HttpRequestException? _lastConnectError;
    private HttpRequestException? _closedError;
    private int _pendingRequests;
    private TimeSpan _nextRetryDelay;
    private volatile WsRestConnectionState _state = WsRestConnectionState.Disconnected;
    private bool _disposed;
    private bool _stopping;
    private readonly WsRestMetrics _metrics;

    /// <summary>Creates a client; nothing connects until <see cref="ConnectAsync"/> or the first request.</summary>
    /// <param name="options">The endpoint, metadata, limits, timeouts and reconnect policy.</param>
    /// <param name="loggerFactory">Where the client logs (category <c>WsRest.Client</c>); none if null.</param>
    /// <param name="timeProvider">The clock for heartbeats and reconnect delays; <see cref="TimeProvider.System"/> if null.</param>
    /// <exception cref="InvalidOperationException">The options are invalid (for example, no <see cref="WsRestClientOptions.Endpoint"/>).</exception>
    public WsRestClient(WsRestClientOptions options, ILoggerFactory? loggerFactory = null, TimeProvider? timeProvider = null)
        : this(options, loggerFactory, timeProvider, meterFactory: null)
    {
    }

    /// <summary>Creates a client that records its metrics on <paramref name="meterFactory"/>'s <c>WsRest</c> meter, as the container's clients do.</summary>
    /// <param name="options">The endpoint, metadata, limits, timeouts and reconnect policy.</param>
    /// <param name="loggerFactory">Where the client logs (category <c>WsRest.Client</c>); none if null.</param>
    /// <param name="timeProvider">The clock for heartbeats and reconnect delays; <see cref="TimeProvider.System"/> if null.</param>
    /// <param name="meterFactory">Creates the meter (docs/observability.md); if null, the process-wide <c>WsRest</c> meter.</param>
    /// <exception cref="InvalidOperationException">The options are invalid (for example, no <see cref="WsRestClientOptions.Endpoint"/>).</exception>
    public WsRestClient(WsRestClientOptions options, ILoggerFactory? loggerFactory, TimeProvider? timeProvider, IMeterFactory? meterFactory)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _options = options;
        _logger = (loggerFactory ?? NullLoggerFactory.Instance).CreateLogger("WsRest.Client");
        _timeProvider = timeProvider ?? TimeProvider.System;
        _metrics = WsRestMetrics.For(meterFactory);
        _metadata = new Dictionary<string, string>(options.Metadata, StringComparer.Ordinal);
        _pubSub = new ClientPubSub(GetPeerForPubSubAsync, options.Endpoint!, _logger, options.SubscriptionQueueCapacity, _metrics, _disposing.Token);
    }

    /// <summary>Raised for each connection event (connecting, connected, disconnected, reconnecting, reconnected, closed).</summary>
    /// <remarks>Handlers run on the client's lifecycle thread, never on the connection's read loop; keep them short. Exceptions are logged.</remarks>
    public event EventHandler<WsRestClientEvent>? ConnectionEvent;

    /// <summary>The connection's state.</summary>
    public WsRestConnectionState State => _state;

    /// <summary>The id the server assigned in the latest handshake (32 hex digits, 128 random bits); it changes on reconnect.</summary>
    public string? ConnectionId { get; private set; }

    /// <summary>The metadata sent in every handshake.</summary>
    public IReadOnlyDictionary<string, string> Metadata => _metadata;

    /// <summary>The endpoint this client connects to.</summary>
    public Uri Endpoint => _options.Endpoint!;

    /// <summary>
    /// Streams connection events from this call on (subscribed before the method returns) until
    /// <paramref name="cancellationToken"/> fires. A watcher that falls 256 events behind loses its oldest.
    /// </summary>
    public IAsyncEnumerable<WsRestClientEvent> WatchAsync(CancellationToken cancellationToken = default)
        => _events.WatchAsync(cancellationToken);

    /// <summary>
    /// Connects and runs the handshake (one attempt; reconnects after a later loss follow
    /// <see cref="WsRestClientOptions.Reconnect"/>). Completes when the connection is ready; calling it
    /// while connected returns at once.
    /// </summary>
    /// <exception cref="HttpRequestException">
    /// The server could not be reached, refused the upgrade (<see cref="HttpRequestException.StatusCode"/>
    /// says with what) or failed the handshake; or the client is backing off after a failed reconnect attempt.
    /// </exception>
    public async Task ConnectAsync(CancellationToken cancellationToken = default)
        => await GetPeerAsync(waitForReady: false, cancellationToken).ConfigureAwait(false);

    /// <summary>Closes the connection. Requests in flight and waiting fail with <see cref="HttpRequestException"/>.</summary>
    public async ValueTask DisposeAsync()
    {
        WsRestPeer[] peers;
        Task? firstConnect;
        Task? reconnect;
        TaskCompletionSource<WsRestPeer>?[] waiting;
        bool alreadyClosed;
        lock (_lock)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            alreadyClosed = _state == WsRestConnectionState.Closed;
            _state = WsRestConnectionState.Closed;
            _closedError = new HttpRequestException(HttpRequestError.ConnectionError, "The WsRest client was disposed.");
            peers = [.. _livePeers];
            _peer = null;
            firstConnect = _firstConnect;
            reconnect = _reconnect;
            waiting = TakeWaiting(whenReadyToo: true);
        }

        await _disposing.CancelAsync().ConfigureAwait(false);
        _pubSub.Close();
        Fail(waiting, _closedError);
        foreach (var peer in peers)
        {
            await peer.DisposeAsync().ConfigureAwait(false);
        }

        foreach (var pending in new[] { firstConnect, reconnect })
        {
            if (pending is not null)
            {
                await pending.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }
        }

        if (!alreadyClosed)
        {
            Raise(WsRestClientEventKind.Closed, null);
        }

        _disposing.Dispose();
    }

    /// <summary>
    /// Graceful stop for hosts that serve through this client (the tunnel): GOAWAY to the server, requests
    /// in flight both ways finish (bounded by <paramref name="cancellationToken"/>), then the client closes.
    /// </summary>
    internal async Task DrainAndDisposeAsync(CancellationToken cancellationToken)
    {
        WsRestPeer? peer;
        lock (_lock)
        {
            // Stopping on purpose: the connection's end must not start a reconnect.
            _stopping = true;
            peer = _peer;
        }

        if (peer is not null)
        {
            try
            {
                await peer.GoAwayAsync("the client is stopping", Timeout.InfiniteTimeSpan).WaitAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                // Out of time: what is still running is cut off by the dispose below.
            }
        }

        await DisposeAsync().ConfigureAwait(false);
    }

    /// <summary>
    /// Sends through the current connection, waiting for a reconnection if there is none. A request
    /// the server certainly did not process (refused, or past its GOAWAY) is sent again on the next
    /// connection when its content can be replayed.
    /// </summary>
    internal Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        => HttpRequestSender.SendAsync(PeerSourceFor(request), request, resendStreamedContent: _options.Reconnect.Enabled && CanSendAgain(request), _metrics, cancellationToken);

    /// <summary>
    /// Where <paramref name="request"/> gets its connection: waiting for ready or not, as the request's
    /// <see cref="WsRestClientRequestOptions.WaitForReady"/> or the client's default says.
    /// </summary>
    /// <remarks>
    /// <see cref="HttpRequestMessage.Options"/> allocates on first access, so it is read only when no
    /// connection is ready. A request that found one and is sent again later (after a GOAWAY) waits by
    /// the client's default; it meets a reconnect attempt in progress, so it waits either way.
    /// </remarks>
    private Func<CancellationToken, ValueTask<WsRestPeer>> PeerSourceFor(HttpRequestMessage request)
    {
        var waitForReady = _options.Reconnect.WaitForReady;
        if (_peer is not { IsAcceptingStreams: true } && request.Options.TryGetValue(WsRestClientRequestOptions.WaitForReady, out var requested))
        {
            waitForReady = requested;
        }

        return waitForReady
            ? _waitForReadyPeerSource ??= token => GetPeerAsync(waitForReady: true, token)
            : _peerSource ??= token => GetPeerAsync(waitForReady: false, token);
    }

    /// <summary>A streamed body can be sent again only when its content can be read again.</summary>
    private static bool CanSendAgain(HttpRequestMessage request)
        => request.Content is null or ByteArrayContent or ReadOnlyMemoryContent;

    /// <summary>The current connection when it takes requests (no task, no allocation); otherwise waits for one.</summary>
    private ValueTask<WsRestPeer> GetPeerAsync(bool waitForReady, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            if (!_disposed && _peer is { IsAcceptingStreams: true } current)
            {
                return new ValueTask<WsRestPeer>(current);
            }
        }

        return new ValueTask<WsRestPeer>(WaitForPeerAsync(waitForReady, cancellationToken));
    }

    private async Task<WsRestPeer> WaitForPeerAsync(bool waitForReady, CancellationToken cancellationToken)
    {
        Task<WsRestPeer> waiter;
        var counted = false;
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_peer is { IsAcceptingStreams: true } current)
            {
                return current;
            }

            switch (_state)
            {
                case WsRestConnectionState.Closed:
                    throw _closedError ?? new HttpRequestException(HttpRequestError.ConnectionError, $"The WsRest client for {Endpoint} is closed.");
                case WsRestConnectionState.Disconnected:
                    // Queued to the thread pool, never run inline: event handlers and ConfigureWebSocket
                    // must not run while the client's lock is held.
                    _state = WsRestConnectionState.Connecting;
                    _attempting = true;
                    _firstConnect = Task.Run(FirstConnectAsync, CancellationToken.None);
                    waiter = Join(waitForReady);
                    break;
                case WsRestConnectionState.Connecting:
                    waiter = Join(waitForReady);
                    break;
                default:
                    // Reconnecting, or connected to a server that has just sent GOAWAY: wait for the next connection.
                    if (!_options.Reconnect.Enabled)
                    {
                        throw (_peer is { } closed ? HttpErrors.ToHttp(closed.CreateClosedException(notSent: true)) : null)
                            ?? new HttpRequestException(HttpRequestError.ConnectionError, $"The WsRest connection to {Endpoint} is closed and reconnect is disabled.");
                    }

                    // Backing off after a failed attempt: the server is likely down, so the request
                    // fails now rather than waiting out its timeout (issue 13), unless it waits for ready.
                    if (!waitForReady && !_attempting && _lastConnectError is { } lastError)
                    {
                        throw ConnectErrors.BackingOff(Endpoint, lastError);
                    }

                    if (_pendingRequests >= _options.Reconnect.MaxPendingRequests)
                    {
                        throw new HttpRequestException(HttpRequestError.ConnectionError, $"The WsRest client is reconnecting to {Endpoint} and {_pendingRequests} requests already wait (MaxPendingRequests); this one fails instead of queueing without bound.");
                    }

                    _pendingRequests++;
                    counted = true;
                    waiter = Join(waitForReady);
                    break;
            }
        }

        try
        {
            return await waiter.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            if (counted)
            {
                lock (_lock)
                {
                    _pendingRequests--;
                }
            }
        }
    }

    /// <summary>Joins the requests waiting for the next connection (under the lock).</summary>
    private Task<WsRestPeer> Join(bool waitForReady)
    {
        ref var group = ref waitForReady ? ref _nextPeerWhenReady : ref _nextPeer;
        group ??= new TaskCompletionSource<WsRestPeer>(TaskCreationOptions.RunContinuationsAsynchronously);
        return group.Task;
    }

    /// <summary>
    /// One attempt (docs/resilience.md): its failure fails the requests that waited for it, and the next
    /// request tries again, unless a wait-for-ready request waits: that one is owed the reconnect schedule.
    /// </summary>
    private async Task FirstConnectAsync()
    {
        // The connection outlives the request that happened to open it: its upgrade (an HttpClient span of
        // its own) and its loops belong to no caller's trace, as SocketsHttpHandler keeps connection set-up
        // out of request spans. Local to this async flow: the caller's Activity.Current is untouched.
        System.Diagnostics.Activity.Current = null;
        ClientLog.Connecting(_logger, Endpoint);
        Raise(WsRestClientEventKind.Connecting, null);
        try
        {
            var peer = await ConnectOnceAsync(previousConnectionId: null, _disposing.Token).ConfigureAwait(false);
            Install(peer, reconnected: false);
        }
        catch (Exception ex) when (!_disposing.IsCancellationRequested)
        {
            var error = ex as HttpRequestException ?? new HttpRequestException(HttpRequestError.ConnectionError, $"Could not connect to {Endpoint}: {ex.Message}", ex);
            var permanent = _options.Reconnect.IsPermanentFailure(error);
            TaskCompletionSource<WsRestPeer>?[] failed;
            TaskCompletionSource? announced = null;
            lock (_lock)
            {
                if (_disposed)
                {
                    // Disposed as the handshake completed (Install threw): DisposeAsync owns the outcome.
                    return;
                }

                _attempting = false;
                var retry = _nextPeerWhenReady is not null && _options.Reconnect.Enabled && !permanent;
                failed = TakeWaiting(whenReadyToo: !retry);
                if (retry)
                {
                    _state = WsRestConnectionState.Reconnecting;
                    _lastConnectError = error;
                    announced = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                    _reconnect = ReconnectAsync(previousConnectionId: null, error, announced.Task);
                }
                else
                {
                    _state = WsRestConnectionState.Disconnected;
                }
            }

            ClientLog.ConnectFailed(_logger, Endpoint, ConnectErrors.StatusOf(error), error);
            Raise(WsRestClientEventKind.ConnectFailed, null, error);
            Fail(failed, error);
            announced?.SetResult();
        }
        catch (Exception) when (_disposing.IsCancellationRequested)
        {
            // DisposeAsync owns the outcome: it fails the waiting requests and raises Closed.
        }
    }

    /// <summary>Takes the waiting groups to complete outside the lock (called under it).</summary>
    private TaskCompletionSource<WsRestPeer>?[] TakeWaiting(bool whenReadyToo)
    {
        TaskCompletionSource<WsRestPeer>?[] taken = [_nextPeer, whenReadyToo ? _nextPeerWhenReady : null];
        _nextPeer = null;
        if (whenReadyToo)
        {
            _nextPeerWhenReady = null;
        }

        return taken;
    }

    private static void Fail(TaskCompletionSource<WsRestPeer>?[] waiting, Exception error)
    {
        foreach (var group in waiting)
        {
            group?.TrySetException(error);
        }
    }

    /// <summary>Makes <paramref name="peer"/> the current connection and releases the requests that waited for it.</summary>
    private void Install(WsRestPeer peer, bool reconnected)
    {
        TaskCompletionSource<WsRestPeer>?[] waiting;
        lock (_lock)
        {
            if (_disposed)
            {
                _ = peer.DisposeAsync().AsTask();
                throw new ObjectDisposedException(nameof(WsRestClient), "The client was disposed while connecting.");
            }

            _peer = peer;
            _livePeers.Add(peer);
            _state = WsRestConnectionState.Connected;
            _attempting = false;
            _lastConnectError = null;
            waiting = TakeWaiting(whenReadyToo: true);

            // Inside the lock, so a concurrent DisposeAsync either sees this peer (and disposes a started
            // one) or has already made Install throw; never a disposed peer started afterwards.
            peer.Start();
        }

        _ = peer.RemoteGoAway.ContinueWith(static (_, state) => ((Retirement)state!).Client.OnPeerRetiring(((Retirement)state).Peer, goAway: true), new Retirement(this, peer), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        _ = peer.Completion.ContinueWith(static (_, state) => ((Retirement)state!).Client.OnPeerRetiring(((Retirement)state).Peer, goAway: false), new Retirement(this, peer), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        ClientLog.Connected(_logger, Endpoint, ConnectionId!);

        // Subscriptions were restored when the peer started (its pub/sub extension), before anything else flowed.
        Raise(WsRestClientEventKind.Connected, ConnectionId);
        if (reconnected)
        {
            _metrics.Reconnects.Add(1);
            Raise(WsRestClientEventKind.Reconnected, ConnectionId);
        }

        foreach (var group in waiting)
        {
            group?.TrySetResult(peer);
        }
    }

    /// <summary>The current connection is going away: by GOAWAY (it drains) or because it ended.</summary>
    private void OnPeerRetiring(WsRestPeer peer, bool goAway)
    {
        try
        {
            AnnouncePeerRetiring(peer, goAway);
        }
        finally
        {
            if (!goAway)
            {
                // After Disconnected was raised (or, for a connection that was no longer current, after it
                // was raised for its GOAWAY): whoever awaits an unsubscribe this loss completed can tell.
                _pubSub.OnConnectionEnded(peer);
            }
        }
    }

    private void AnnouncePeerRetiring(WsRestPeer peer, bool goAway)
    {
        Exception? reason = goAway ? null : peer.CloseReason;
        var lostId = ConnectionId;
        TaskCompletionSource? announced = null;
        lock (_lock)
        {
            if (!goAway)
            {
                _livePeers.Remove(peer);
            }

            if (_disposed || _stopping || !ReferenceEquals(_peer, peer))
            {
                return;
            }

            _peer = null;
            if (!_options.Reconnect.Enabled)
            {
                _state = WsRestConnectionState.Closed;
                _closedError = HttpErrors.ToHttp(peer.CreateClosedException(notSent: true));
            }
            else
            {
                _state = WsRestConnectionState.Reconnecting;
                announced = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                _reconnect = ReconnectAsync(lostId, reason, announced.Task);
            }
        }

        if (goAway)
        {
            ClientLog.GoAway(_logger, Endpoint, lostId);
        }
        else
        {
            ClientLog.ConnectionLost(_logger, lostId, reason);
        }

        Raise(WsRestClientEventKind.Disconnected, lostId, reason);
        if (announced is null)
        {
            FailWaiting(_closedError!);
            Raise(WsRestClientEventKind.Closed, lostId, _closedError);
        }
        else
        {
            // The loop starts only now, so Disconnected is always seen before the first Reconnecting.
            announced.SetResult();
        }
    }

    /// <param name="previousConnectionId">The lost connection's id, sent in HELLO; null after a failed first connect.</param>
    /// <param name="cause">Why a connection is needed: the lost connection's reason (null after a GOAWAY) or the failed first connect's error.</param>
    /// <param name="announced">Completes once Disconnected/ConnectFailed was raised, so no Reconnecting comes before it.</param>
    private async Task ReconnectAsync(string? previousConnectionId, Exception? cause, Task announced)
    {
        // Runs off the caller's thread (the continuation is asynchronous): the retiring peer's
        // continuation must not run the whole loop.
        await announced.ConfigureAwait(false);
        var attempt = 0;
        var lastError = cause;
        HttpRequestException? refused = null;
        _nextRetryDelay = TimeSpan.Zero;

        // Cancelled on a refusal that retrying cannot heal: that ends any pipeline, the user's too,
        // without relying on what its ShouldHandle accepts.
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(_disposing.Token);
        try
        {
            _reconnectPipeline ??= _options.Reconnect.Pipeline ?? ReconnectPipeline.Create(_options.Reconnect, _timeProvider, delay => _nextRetryDelay = delay);
            var peer = await _reconnectPipeline.ExecuteAsync(
                async token =>
                {
                    attempt++;
                    lock (_lock)
                    {
                        _attempting = true;
                    }

                    ClientLog.Reconnecting(_logger, attempt, Endpoint, _nextRetryDelay, ConnectErrors.StatusOf(lastError), lastError?.Message, lastError);
                    Raise(WsRestClientEventKind.Reconnecting, previousConnectionId, lastError, attempt, _nextRetryDelay);
                    try
                    {
                        return await ConnectOnceAsync(previousConnectionId, token).ConfigureAwait(false);
                    }
                    catch (HttpRequestException ex) when (!token.IsCancellationRequested)
                    {
                        lastError = ex;
                        if (_options.Reconnect.IsPermanentFailure(ex))
                        {
                            refused = ex;
                            await stop.CancelAsync().ConfigureAwait(false);
                        }
                        else
                        {
                            OnAttemptFailed(ex);
                        }

                        throw;
                    }
                },
                stop.Token).ConfigureAwait(false);
            Install(peer, reconnected: previousConnectionId is not null);
        }
        catch (Exception ex) when (!_disposing.IsCancellationRequested)
        {
            var error = refused is not null
                ? new HttpRequestException(HttpRequestError.ConnectionError, $"Stopped reconnecting to {Endpoint}: {refused.Message} Retrying cannot heal this (WsRestReconnectOptions.IsPermanentFailure).", refused, refused.StatusCode)
                : new HttpRequestException(HttpRequestError.ConnectionError, $"Gave up reconnecting to {Endpoint} after {attempt} attempt(s): {ex.Message}", ex, (ex as HttpRequestException)?.StatusCode);
            TaskCompletionSource<WsRestPeer>?[] waiting;
            lock (_lock)
            {
                if (_disposed)
                {
                    return;
                }

                _state = WsRestConnectionState.Closed;
                _closedError = error;
                _attempting = false;
                waiting = TakeWaiting(whenReadyToo: true);
            }

            ClientLog.GaveUp(_logger, Endpoint, ConnectErrors.StatusOf(error), error.Message, error);
            Fail(waiting, error);
            Raise(WsRestClientEventKind.Closed, previousConnectionId, error);
        }
        catch (Exception) when (_disposing.IsCancellationRequested)
        {
            // DisposeAsync owns the outcome: it fails the waiting requests and raises Closed.
        }
    }

    /// <summary>
    /// An attempt failed and the client backs off: the requests that are not waiting for ready fail
    /// now with that error, as new ones will until the next attempt starts.
    /// </summary>
    private void OnAttemptFailed(HttpRequestException error)
    {
        TaskCompletionSource<WsRestPeer>?[] failed;
        lock (_lock)
        {
            _attempting = false;
            _lastConnectError = error;
            failed = TakeWaiting(whenReadyToo: false);
        }

        Fail(failed, ConnectErrors.BackingOff(Endpoint, error));
    }

    private void FailWaiting(Exception error)
    {
        TaskCompletionSource<WsRestPeer>?[] waiting;
        lock (_lock)
        {
            waiting = TakeWaiting(whenReadyToo: true);
        }

        Fail(waiting, error);
    }

    private void Raise(WsRestClientEventKind kind, string? connectionId, Exception? error = null, int attempt = 0, TimeSpan delay = default)
    {
        var item = new WsRestClientEvent(kind, connectionId, error, attempt, delay, _timeProvider.GetUtcNow());
        _events.Publish(item);
        var handlers = ConnectionEvent;
        if (handlers is null)
        {
            return;
        }

        foreach (var handler in handlers.GetInvocationList())
        {
            try
            {
                ((EventHandler<WsRestClientEvent>)handler)(this, item);
            }
            catch (Exception ex)
            {
                ClientLog.EventHandlerFailed(_logger, ex);
            }
        }
    }

    private sealed record Retirement(WsRestClient Client, WsRestPeer Peer);
}
