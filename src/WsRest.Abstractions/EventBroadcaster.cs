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
    private readonly ConcurrentDictionary<Channel<T>, byte> _watchers = new();
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
        _watchers.TryAdd(channel, 0);

        // A caller that cancels without ever iterating must not leave its buffer behind.
        cancellationToken.UnsafeRegister(static (state, _) =>
        {
            var (watchers, watcher) = ((ConcurrentDictionary<Channel<T>, byte>, Channel<T>))state!;
            watchers.TryRemove(watcher, out byte _);
        }, (_watchers, channel));
        return ReadAsync(channel, cancellationToken);
    }

    public void Publish(T item)
    {
        foreach (var watcher in _watchers.Keys)
        {
            watcher.Writer.TryWrite(item);
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
            _watchers.TryRemove(channel, out _);
        }
    }
}
