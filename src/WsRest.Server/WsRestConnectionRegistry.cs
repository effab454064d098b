using System.Collections.Concurrent;
using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using System.Threading.Channels;
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
    private readonly ConcurrentDictionary<Channel<WsRestConnectionEvent>, byte> _watchers = new();
    private readonly int _eventCapacity;
    private readonly TimeProvider _timeProvider;

    /// <summary>Creates a registry; the server registers one as a singleton.</summary>
    public WsRestConnectionRegistry(IOptions<WsRestServerOptions> options, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        _eventCapacity = Math.Max(options.Value.EventBufferCapacity, 1);
        _timeProvider = timeProvider ?? TimeProvider.System;
    }

    /// <summary>A snapshot of the connections open now.</summary>
    public IReadOnlyCollection<WsRestConnection> Connections => [.. _connections.Values];

    /// <summary>Number of connections open now.</summary>
    public int Count => _connections.Count;

    /// <summary>Finds an open connection by id.</summary>
    public bool TryGetConnection(string id, [NotNullWhen(true)] out WsRestConnection? connection)
        => _connections.TryGetValue(id, out connection);

    /// <summary>
    /// Streams connection events from the moment of this call (the subscription is taken before the
    /// method returns, not on first iteration) until <paramref name="cancellationToken"/> fires.
    /// </summary>
    public IAsyncEnumerable<WsRestConnectionEvent> WatchAsync(CancellationToken cancellationToken = default)
    {
        var channel = Channel.CreateBounded<WsRestConnectionEvent>(new BoundedChannelOptions(_eventCapacity)
        {
            FullMode = BoundedChannelFullMode.DropOldest,
            SingleReader = true,
            SingleWriter = false,
        });
        _watchers.TryAdd(channel, 0);

        // A caller that cancels without ever iterating must not leave its buffer behind.
        cancellationToken.UnsafeRegister(static (state, _) =>
        {
            var (watchers, watcher) = ((ConcurrentDictionary<Channel<WsRestConnectionEvent>, byte>, Channel<WsRestConnectionEvent>))state!;
            watchers.TryRemove(watcher, out byte _);
        }, (_watchers, channel));
        return ReadAsync(channel, cancellationToken);
    }

    /// <remarks>The event goes out first, so a connection found in the registry has always been announced.</remarks>
    internal void Add(WsRestConnection connection)
    {
        Publish(WsRestConnectionEventKind.Connected, connection, null);
        _connections[connection.Id] = connection;
    }

    internal void Remove(WsRestConnection connection, Exception? error)
    {
        _connections.TryRemove(new KeyValuePair<string, WsRestConnection>(connection.Id, connection));
        Publish(error is null ? WsRestConnectionEventKind.Closed : WsRestConnectionEventKind.Failed, connection, error);
    }

    /// <summary>Server shutdown: GOAWAY to every connection; in-flight requests finish until the timeout or <paramref name="cancellationToken"/>.</summary>
    internal async Task ShutdownAsync(CancellationToken cancellationToken)
    {
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
    {
        var item = new WsRestConnectionEvent(kind, connection, error, _timeProvider.GetUtcNow());
        foreach (var watcher in _watchers.Keys)
        {
            watcher.Writer.TryWrite(item);
        }
    }

    private async IAsyncEnumerable<WsRestConnectionEvent> ReadAsync(Channel<WsRestConnectionEvent> channel, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        try
        {
            while (await channel.Reader.WaitToReadAsync(cancellationToken).ConfigureAwait(false))
            {
                while (channel.Reader.TryRead(out var item))
                {
                    yield return item;
                }
            }
        }
        finally
        {
            _watchers.TryRemove(channel, out _);
        }
    }
}
