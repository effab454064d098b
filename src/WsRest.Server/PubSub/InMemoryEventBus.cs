using System.Collections.Concurrent;
using Microsoft.Extensions.Options;
using WsRest.Protocol;

namespace WsRest.Server.PubSub;

/// <summary>
/// The single-node bus: per topic a lock, a sequence counter, a ring of the last
/// <see cref="WsRestPubSubOptions.ReplayBufferSize"/> events and the sinks. Publishing fans out under
/// the topic's lock, which is what makes every sink see the topic's events in sequence order; sinks
/// only enqueue (never block), so the lock is held for O(subscribers) work and never across an await.
/// </summary>
internal sealed class InMemoryEventBus : IWsRestEventBus
{
    private readonly ConcurrentDictionary<string, Topic> _topics = new(StringComparer.Ordinal);
    private readonly int _replay;
    private readonly int _maxTopics;

    // One epoch for the bus's life: a topic's numbering never restarts within one process (a topic is
    // forgotten only before its first event), and a new process draws a new one, so a restart is visible.
    private readonly long _epoch = PubSubFrames.NewEpoch();

    public InMemoryEventBus(IOptions<WsRestServerOptions> options)
    {
        _replay = Math.Max(options.Value.PubSub.ReplayBufferSize, 0);
        _maxTopics = options.Value.PubSub.MaxTopics;
    }

    /// <summary>Topics the bus holds state for (tests watch it return to zero).</summary>
    internal int TopicCount => _topics.Count;

    public ValueTask<long> PublishAsync(string topic, string contentType, ReadOnlyMemory<byte> data, CancellationToken cancellationToken = default)
    {
        WsRestTopic.Validate(topic);
        while (true)
        {
            // A topic removed between the lookup and its lock is gone for good: look it up again.
            if (GetTopic(topic).TryPublish(contentType, data, out var sequence))
            {
                return ValueTask.FromResult(sequence);
            }
        }
    }

    public ValueTask<IWsRestEventBusSubscription> SubscribeAsync(string topic, long fromSequence, IWsRestEventSink sink, CancellationToken cancellationToken = default)
        => SubscribeAsync(topic, epoch: 0, fromSequence, sink, cancellationToken);

    public ValueTask<IWsRestEventBusSubscription> SubscribeAsync(string topic, long epoch, long fromSequence, IWsRestEventSink sink, CancellationToken cancellationToken = default)
    {
        WsRestTopic.Validate(topic);

        // A position in another epoch (a server before a restart) means nothing here: everything this
        // epoch holds is new to the subscriber, so it is replayed from the start (or reported as a gap).
        if (epoch != 0 && epoch != _epoch && fromSequence > 0)
        {
            fromSequence = 1;
        }

        while (true)
        {
            if (GetTopic(topic).TrySubscribe(fromSequence, sink) is { } subscription)
            {
                return ValueTask.FromResult<IWsRestEventBusSubscription>(subscription);
            }
        }
    }

    private Topic GetTopic(string name)
    {
        if (_topics.TryGetValue(name, out var topic))
        {
            return topic;
        }

        // Every new topic name costs memory, and any client may subscribe to any name by default
        // (docs/pubsub.md): the number of topics is bounded, and the refusal fails only this operation.
        if (_topics.Count >= _maxTopics)
        {
            throw new InvalidOperationException($"The server holds the maximum number of pub/sub topics ({_maxTopics}).");
        }

        return _topics.GetOrAdd(name, static (n, bus) => new Topic(n, bus), this);
    }

    /// <summary>
    /// Forgets a topic nobody subscribes to and nothing was ever published on (a subscribe/unsubscribe
    /// to a new name leaves nothing behind). A topic with events keeps its sequence counter, so that
    /// a resuming subscriber is never numbered from 1 again; its buffer is bounded by the replay size.
    /// </summary>
    private void TryForget(Topic topic)
    {
        if (topic.TryRetire())
        {
            _topics.TryRemove(new KeyValuePair<string, Topic>(topic.Name, topic));
        }
    }

    private sealed class Topic(string name, InMemoryEventBus bus)
    {
        private readonly Lock _lock = new();
        private readonly Queue<(long Sequence, string ContentType, ReadOnlyMemory<byte> Data)> _buffer = new();
        private readonly List<Subscription> _sinks = [];
        private long _sequence;
        private bool _retired;

        public string Name => name;

        public bool TryPublish(string contentType, ReadOnlyMemory<byte> data, out long sequence)
        {
            lock (_lock)
            {
                if (_retired)
                {
                    sequence = 0;
                    return false;
                }

                sequence = ++_sequence;
                if (bus._replay > 0)
                {
                    _buffer.Enqueue((sequence, contentType, data));
                    if (_buffer.Count > bus._replay)
                    {
                        _buffer.Dequeue();
                    }
                }

                foreach (var subscription in _sinks)
                {
                    subscription.Sink.OnEvent(name, sequence, contentType, data);
                }

                return true;
            }
        }

        public Subscription? TrySubscribe(long fromSequence, IWsRestEventSink sink)
        {
            lock (_lock)
            {
                if (_retired)
                {
                    return null;
                }

                sink.OnEpoch(name, bus._epoch);
                if (fromSequence > 0 && fromSequence <= _sequence)
                {
                    var oldest = _buffer.Count > 0 ? _buffer.Peek().Sequence : _sequence + 1;
                    if (fromSequence < oldest)
                    {
                        sink.OnGap(name, fromSequence, oldest - 1);
                    }

                    foreach (var (sequence, contentType, data) in _buffer)
                    {
                        if (sequence >= fromSequence)
                        {
                            sink.OnEvent(name, sequence, contentType, data);
                        }
                    }
                }

                var subscription = new Subscription(this, sink, _sequence);
                _sinks.Add(subscription);
                return subscription;
            }
        }

        public void Remove(Subscription subscription)
        {
            lock (_lock)
            {
                _sinks.Remove(subscription);
            }

            bus.TryForget(this);
        }

        /// <summary>Marks the topic retired if it holds nothing worth keeping; a retired topic accepts nothing more.</summary>
        public bool TryRetire()
        {
            lock (_lock)
            {
                _retired = _retired || (_sinks.Count == 0 && _sequence == 0);
                return _retired;
            }
        }
    }

    private sealed class Subscription(Topic topic, IWsRestEventSink sink, long lastSequence) : IWsRestEventBusSubscription
    {
        public IWsRestEventSink Sink { get; } = sink;

        public long LastSequence { get; } = lastSequence;

        public ValueTask DisposeAsync()
        {
            // Under the topic's lock: once this returns, no publish can still be calling the sink.
            topic.Remove(this);
            return ValueTask.CompletedTask;
        }
    }
}
