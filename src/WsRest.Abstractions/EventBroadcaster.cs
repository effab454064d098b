using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using System.Threading.Channels;

namespace WsRest;

/// <summary>
/// Fans events out to any number of watchers. Publishing never waits: each watcher has its own
/// bounded buffer that drops its oldest event when full, so a watcher that reads slowly or not at
/// all never holds up the code that publishes.
/// </summary>
internal sealed class EventBroadcaster<T>
{
    // Made by the first watcher: most clients are never watched, and one is made per connection in a
    // reconnect storm (the default dictionary is about 0.4 KB; docs/benchmarks.md, "Connection set-up
    // and idle memory, issue 17").
    private ConcurrentDictionary<Channel<T>, byte>? _watchers;
    private readonly int _capacity;

    public EventBroadcaster(int capacity)
    {
        _capacity = Math.Max(capacity, 1);
    }

    /// <summary>Subscribes now (not on first iteration) until <paramref name="cancellationToken"/> fires.</summary>
    public IAsyncEnumerable<T> WatchAsync(CancellationToken cancellationToken, int? capacity = null)
    {
        var channel = Channel.CreateBounded<T>(new BoundedChannelOptions(Math.Max(capacity ?? _capacity, 1))
        {
            FullMode = BoundedChannelFullMode.DropOldest,
            SingleReader = true,
            SingleWriter = false,
        });
        var watchers = Volatile.Read(ref _watchers)
            ?? Interlocked.CompareExchange(ref _watchers, new ConcurrentDictionary<Channel<T>, byte>(concurrencyLevel: 1, capacity: 7), null)
            ?? _watchers!;
        watchers.TryAdd(channel, 0);

        // A caller that cancels without ever iterating must not leave its buffer behind.
        cancellationToken.UnsafeRegister(static (state, _) =>
        {
            var (watchers, watcher) = ((ConcurrentDictionary<Channel<T>, byte>, Channel<T>))state!;
            watchers.TryRemove(watcher, out byte _);
        }, (watchers, channel));
        return ReadAsync(channel, cancellationToken);
    }

    public void Publish(T item)
    {
        if (Volatile.Read(ref _watchers) is not { } watchers)
        {
            return;
        }

        // The dictionary's own enumerator takes no lock and copies nothing, unlike its Keys.
        foreach (var watcher in watchers)
        {
            watcher.Key.Writer.TryWrite(item);
        }
    }

    private async IAsyncEnumerable<T> ReadAsync(Channel<T> channel, [EnumeratorCancellation] CancellationToken cancellationToken)
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
            _watchers!.TryRemove(channel, out _);
        }
    }
}
