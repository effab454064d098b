using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using System.Text;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;
using WsRest.Redis.Connections;
using WsRest.Server;

namespace WsRest.Redis.PubSub;

/// <summary>
/// The cross-node event bus (docs/scale-out.md, "Pub/sub"): publishing runs <see cref="PublishScript"/>
/// in Redis and completes once Redis has stored the event; each node follows the topics it has
/// subscribers for (<see cref="TopicFollower"/>) and replays from the topic's stream on resume.
/// </summary>
internal sealed class RedisEventBus : IWsRestEventBus
{
    private const int PageSize = 256;

    /// <summary>Epochs are 1 .. 2^53 − 1, so a JSON client represents every one exactly (docs/protocol.md §10.5).</summary>
    private const long MaxEpoch = (1L << 53) - 1;

    private readonly ConcurrentDictionary<string, TopicFollower> _followers = new(StringComparer.Ordinal);

    public RedisEventBus(RedisBackplane backplane, ILogger<RedisEventBus> logger)
    {
        Backplane = backplane;
        Logger = logger;
    }

    public RedisBackplane Backplane { get; }

    public ILogger Logger { get; }

    public async ValueTask<long> PublishAsync(string topic, string contentType, ReadOnlyMemory<byte> data, CancellationToken cancellationToken = default)
    {
        WsRestTopic.Validate(topic);
        ArgumentNullException.ThrowIfNull(contentType);
        var keys = Backplane.Keys;
        var (floor, epoch) = _followers.TryGetValue(topic, out var follower) ? (follower.Last, follower.Epoch) : (0L, 0L);
        try
        {
            var db = await Backplane.GetDatabaseAsync().ConfigureAwait(false);

            // Redis commands cannot be withdrawn: cancelling stops the wait, the event may still be published.
            var result = await db.ScriptEvaluateAsync(
                PublishScript.Publish,
                [keys.Sequence(topic), keys.Events(topic), keys.Epoch(topic)],
                [floor, Backplane.Options.ReplayLength, contentType, data, keys.EventChannel(topic).ToString(), epoch, Random.Shared.NextInt64(1, MaxEpoch + 1)]).WaitAsync(cancellationToken).ConfigureAwait(false);
            return (long)result;
        }
        catch (Exception ex) when (RedisFailures.IsRedisFailure(ex))
        {
            throw RedisFailures.Wrap($"publishing an event to topic '{topic}'", ex);
        }
    }

    public ValueTask<IWsRestEventBusSubscription> SubscribeAsync(string topic, long fromSequence, IWsRestEventSink sink, CancellationToken cancellationToken = default)
        => SubscribeAsync(topic, epoch: 0, fromSequence, sink, cancellationToken);

    public async ValueTask<IWsRestEventBusSubscription> SubscribeAsync(string topic, long epoch, long fromSequence, IWsRestEventSink sink, CancellationToken cancellationToken = default)
    {
        WsRestTopic.Validate(topic);
        ArgumentNullException.ThrowIfNull(sink);
        while (true)
        {
            var follower = _followers.GetOrAdd(topic, static (name, bus) => new TopicFollower(bus, name), this);
            if (await follower.SubscribeAsync(epoch, fromSequence, sink, cancellationToken).ConfigureAwait(false) is { } subscription)
            {
                return subscription;
            }

            // That follower retired (its last subscriber left) as this one arrived: the next one is fresh.
            Forget(follower);
        }
    }

    /// <summary>Redis is reachable again: every followed topic reads what it may have missed.</summary>
    public void OnReconnected()
    {
        foreach (var follower in _followers.Values)
        {
            follower.Resync();
        }
    }

    public void Forget(TopicFollower follower) => _followers.TryRemove(new KeyValuePair<string, TopicFollower>(follower.Topic, follower));

    /// <summary>The stream's events <paramref name="from"/>..<paramref name="to"/> that it still holds, in pages.</summary>
    public async IAsyncEnumerable<EventMessage> ReadStreamAsync(string topic, long from, long to, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var db = await Backplane.GetDatabaseAsync().ConfigureAwait(false);
        var key = Backplane.Keys.Events(topic);
        var next = from;
        while (next <= to)
        {
            var page = await db.StreamRangeAsync(key, $"{next}-0", $"{to}-0", PageSize).ConfigureAwait(false);
            foreach (var entry in page)
            {
                var item = ToMessage(entry);
                next = item.Sequence + 1;
                yield return item;
            }

            if (page.Length < PageSize)
            {
                yield break;
            }
        }
    }

    private static EventMessage ToMessage(StreamEntry entry)
    {
        var id = entry.Id.ToString();
        var sequence = long.Parse(id.AsSpan(0, id.IndexOf('-', StringComparison.Ordinal)), System.Globalization.CultureInfo.InvariantCulture);
        string contentType = string.Empty;
        ReadOnlyMemory<byte> data = default;
        foreach (var field in entry.Values)
        {
            if (field.Name == "c")
            {
                contentType = Encoding.UTF8.GetString((byte[])field.Value!);
            }
            else if (field.Name == "d")
            {
                data = (byte[])field.Value!;
            }
        }

        return new EventMessage(sequence, contentType, data);
    }
}
