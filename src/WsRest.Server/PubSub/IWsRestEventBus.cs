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

    /// <summary>
    /// Subscribes <paramref name="sink"/> to <paramref name="topic"/>, resuming in <paramref name="epoch"/>
    /// (docs/pubsub.md, "Epochs"). A bus with epochs calls <see cref="IWsRestEventSink.OnEpoch"/> with the
    /// topic's epoch before anything else; when <paramref name="epoch"/> is not 0 and is not the topic's
    /// epoch, <paramref name="fromSequence"/> belongs to a numbering that is gone, so the bus replays the
    /// current epoch from its first event (sequence 1) instead. The default implementation has no epochs:
    /// it ignores <paramref name="epoch"/> and calls
    /// <see cref="SubscribeAsync(string, long, IWsRestEventSink, CancellationToken)"/>.
    /// </summary>
    /// <param name="topic">A valid topic (<see cref="WsRestTopic"/>).</param>
    /// <param name="epoch">The epoch <paramref name="fromSequence"/> belongs to; 0 when unknown.</param>
    /// <param name="fromSequence">0 for live events only; n &gt; 0 to replay from event n on.</param>
    /// <param name="sink">Receives the subscription's events.</param>
    /// <param name="cancellationToken">Cancels the subscribe.</param>
    ValueTask<IWsRestEventBusSubscription> SubscribeAsync(string topic, long epoch, long fromSequence, IWsRestEventSink sink, CancellationToken cancellationToken = default)
        => SubscribeAsync(topic, fromSequence, sink, cancellationToken);
}

/// <summary>Receives a subscription's events. Called in sequence order, never concurrently for one sink; must not block.</summary>
public interface IWsRestEventSink
{
    /// <summary>An event. <paramref name="data"/> is immutable and may be kept without copying.</summary>
    void OnEvent(string topic, long sequence, string contentType, ReadOnlyMemory<byte> data);

    /// <summary>Events <paramref name="first"/>..<paramref name="last"/> of <paramref name="topic"/> cannot be delivered.</summary>
    void OnGap(string topic, long first, long last);

    /// <summary>
    /// The topic's sequence numbers belong to <paramref name="epoch"/> (1 .. 2^53 − 1) from here on: called
    /// before a subscription's first event, and again whenever the numbering restarts (a new epoch, whose
    /// events are numbered from 1 again). A bus without epochs never calls it.
    /// </summary>
    void OnEpoch(string topic, long epoch)
    {
    }
}

/// <summary>A live bus subscription; disposing it stops further calls to its sink.</summary>
public interface IWsRestEventBusSubscription : IAsyncDisposable
{
    /// <summary>The topic's last sequence when the subscription became live (replayed events included).</summary>
    long LastSequence { get; }
}
