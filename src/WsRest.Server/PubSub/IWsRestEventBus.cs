namespace WsRest.Server;

/// <summary>
/// Where published events go and subscriptions come from (docs/pubsub.md). The default is in memory
/// for one server node; a backplane (e.g. Redis) implements this interface to span nodes — clients do
/// not change. Per topic, an implementation assigns increasing sequence numbers (1, 2, 3, ...), keeps a
/// bounded replay buffer, and calls each sink in sequence order.
/// </summary>
public interface IWsRestEventBus
{
    /// <summary>Publishes one event; returns its sequence number in the topic.</summary>
    /// <param name="topic">A valid topic (<see cref="WsRestTopic"/>).</param>
    /// <param name="contentType">The payload's content type.</param>
    /// <param name="data">The payload. The bus may keep it: the caller must not change it afterwards.</param>
    /// <param name="cancellationToken">Cancels the publish.</param>
    ValueTask<long> PublishAsync(string topic, string contentType, ReadOnlyMemory<byte> data, CancellationToken cancellationToken = default);

    /// <summary>
    /// Subscribes <paramref name="sink"/> to <paramref name="topic"/>. With <paramref name="fromSequence"/> &gt; 0,
    /// events from that sequence on are replayed first from the buffer (a gap is reported for any no
    /// longer buffered); with 0, only events published after the subscription.
    /// </summary>
    ValueTask<IWsRestEventBusSubscription> SubscribeAsync(string topic, long fromSequence, IWsRestEventSink sink, CancellationToken cancellationToken = default);
}

/// <summary>Receives a subscription's events. Called in sequence order, never concurrently for one sink; must not block.</summary>
public interface IWsRestEventSink
{
    /// <summary>An event. <paramref name="data"/> is immutable and may be kept without copying.</summary>
    void OnEvent(string topic, long sequence, string contentType, ReadOnlyMemory<byte> data);

    /// <summary>Events <paramref name="first"/>..<paramref name="last"/> of <paramref name="topic"/> cannot be delivered.</summary>
    void OnGap(string topic, long first, long last);
}

/// <summary>A live bus subscription; disposing it stops further calls to its sink.</summary>
public interface IWsRestEventBusSubscription : IAsyncDisposable
{
    /// <summary>The topic's last sequence when the subscription became live (replayed events included).</summary>
    long LastSequence { get; }
}
