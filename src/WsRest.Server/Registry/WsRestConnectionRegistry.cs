using System.Collections.Concurrent;
using System.Diagnostics.CodeAnalysis;
using Microsoft.Extensions.Options;

namespace WsRest.Server;

/// <summary>
/// The server's live WsRest connections and a stream of their events. Publishing never waits for
/// readers: each reader has its own bounded buffer that drops its oldest event when full
/// (<see cref="WsRestServerOptions.EventBufferCapacity"/>), so nobody reading never blocks the server.
/// </summary>
public sealed class WsRestConnectionRegistry
{
    private readonly ConcurrentDictionary<string, WsRestConnection> _connections = new(StringComparer.Ordinal);
    private readonly EventBroadcaster<WsRestConnectionEvent> _events;
    private readonly WsRestServerOptions _options;
    private readonly TimeProvider _timeProvider;
    private readonly IWsRestReverseCallForwarder? _forwarder;
    private int _shuttingDown;

    /// <summary>Creates a registry; the server registers one as a singleton.</summary>
    public WsRestConnectionRegistry(IOptions<WsRestServerOptions> options)
        : this(options, null)
    {
    }

    /// <summary>
    /// Creates a registry whose reverse-call handlers send calls for connections this node does not hold
    /// through <paramref name="forwarder"/> (a scale-out backplane, docs/scale-out.md).
    /// </summary>
    public WsRestConnectionRegistry(IOptions<WsRestServerOptions> options, IWsRestReverseCallForwarder? forwarder)
    {
        _forwarder = forwarder;
        ArgumentNullException.ThrowIfNull(options);
        _options = options.Value;
        _events = new EventBroadcaster<WsRestConnectionEvent>(options.Value.EventBufferCapacity);
        _timeProvider = options.Value.TimeProvider;
    }

    /// <summary>A snapshot of the connections open now.</summary>
    public IReadOnlyCollection<WsRestConnection> Connections => [.. _connections.Values];

    /// <summary>Number of connections open now.</summary>
    public int Count => _connections.Count;

    /// <summary>Finds an open connection by id.</summary>
    public bool TryGetConnection(string id, [NotNullWhen(true)] out WsRestConnection? connection)
        => _connections.TryGetValue(id, out connection);

    /// <summary>The options the server runs with (the reverse-call policy and the server's caller name among them).</summary>
    internal WsRestServerOptions Options => _options;

    /// <summary>Where reverse calls for connections this node does not hold go (a scale-out backplane); null on one node.</summary>
    internal IWsRestReverseCallForwarder? Forwarder => _forwarder;

    /// <summary>
    /// Streams connection events from the moment of this call (the subscription is taken before the
    /// method returns, not on first iteration) until <paramref name="cancellationToken"/> fires.
    /// </summary>
    public IAsyncEnumerable<WsRestConnectionEvent> WatchAsync(CancellationToken cancellationToken = default)
        => _events.WatchAsync(cancellationToken);

    /// <summary>A watcher with its own buffer size (tests).</summary>
    internal IAsyncEnumerable<WsRestConnectionEvent> WatchAsync(int capacity, CancellationToken cancellationToken)
        => _events.WatchAsync(cancellationToken, capacity);

    /// <summary>
    /// Lists the connection before its engine starts: a client that has been served a request is always
    /// in <see cref="Count"/> and the enumeration (issue 13: listed only after the start, a connection
    /// could serve its first exchange on a loaded machine before it was listed). <see cref="Announce"/>
    /// follows once the engine runs.
    /// </summary>
    internal void List(WsRestConnection connection) => _connections[connection.Id] = connection;

    /// <remarks>
    /// Listed first, then announced, so whoever reacts to Connected finds the connection, and its engine
    /// already running; one that completes its handshake while the server is shutting down is told to go
    /// away at once (the shutdown's snapshot of connections may have missed it).
    /// </remarks>
    internal void Announce(WsRestConnection connection)
    {
        if (IsShuttingDown)
        {
            _ = connection.CloseAsync();
        }

        Publish(WsRestConnectionEventKind.Connected, connection, null);
    }

    internal void Remove(WsRestConnection connection, Exception? error)
    {
        _connections.TryRemove(new KeyValuePair<string, WsRestConnection>(connection.Id, connection));
        Publish(error is null ? WsRestConnectionEventKind.Closed : WsRestConnectionEventKind.Failed, connection, error);
    }

    internal bool IsShuttingDown => Volatile.Read(ref _shuttingDown) != 0;

    /// <summary>Server shutdown: GOAWAY to every connection; in-flight requests finish until the timeout or <paramref name="cancellationToken"/>.</summary>
    internal async Task ShutdownAsync(CancellationToken cancellationToken)
    {
        Interlocked.Exchange(ref _shuttingDown, 1);
        var closing = _connections.Values.Select(c => c.CloseAsync()).ToArray();
        try
        {
            await Task.WhenAll(closing).WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // The host's shutdown timeout ran out first: cut off what is left.
            foreach (var connection in _connections.Values)
            {
                connection.Abort();
            }
        }
    }

    private void Publish(WsRestConnectionEventKind kind, WsRestConnection connection, Exception? error)
        => _events.Publish(new WsRestConnectionEvent(kind, connection, error, _timeProvider.GetUtcNow()));
}
