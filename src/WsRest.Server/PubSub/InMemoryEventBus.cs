using System.Collections.Concurrent;
using Microsoft.Extensions.Options;

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

    public InMemoryEventBus(IOptions<WsRestServerOptions> options)
    {
        _replay = Math.Max(options.Value.PubSub.ReplayBufferSize, 0);
    }

    public ValueTask<long> PublishAsync(string topic, string contentType, ReadOnlyMemory<byte> data, CancellationToken cancellationToken = default)
    {
        WsRestTopic.Validate(topic);
        return ValueTask.FromResult(GetTopic(topic).Publish(contentType, data));
    }

    public ValueTask<IWsRestEventBusSubscription> SubscribeAsync(string topic, long fromSequence, IWsRestEventSink sink, CancellationToken cancellationToken = default)
    {
        WsRestTopic.Validate(topic);
        return ValueTask.FromResult<IWsRestEventBusSubscription>(GetTopic(topic).Subscribe(fromSequence, sink));
    }

    private Topic GetTopic(string name) => _topics.GetOrAdd(name, static (n, replay) => new Topic(n, replay), _replay);

    private sealed class Topic(string name, int replay)
    {
        private readonly Lock _lock = new();
        private readonly Queue<(long Sequence, string ContentType, ReadOnlyMemory<byte> Data)> _buffer = new();
        private readonly List<Subscription> _sinks = [];
        private long _sequence;

        public long Publish(string contentType, ReadOnlyMemory<byte> data)
        {
            lock (_lock)
            {
                var sequence = ++_sequence;
                if (replay > 0)
                {
                    _buffer.Enqueue((sequence, contentType, data));
                    if (_buffer.Count > replay)
                    {
                        _buffer.Dequeue();
                    }
                }

                foreach (var subscription in _sinks)
                {
                    subscription.Sink.OnEvent(name, sequence, contentType, data);
                }

                return sequence;
            }
        }

        public Subscription Subscribe(long fromSequence, IWsRestEventSink sink)
        {
            lock (_lock)
            {
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
