using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;
using WsRest.Server;

namespace WsRest.Redis.PubSub;

/// <summary>
/// This node's reader of one topic, alive while the node has subscribers to it. One loop does all of
/// the topic's work in order — notifications from the topic's Redis channel, new subscriptions (replay
/// from the stream), catch-up after a missed notification or a reconnect — so every sink sees one
/// sequence order and nothing is lost or doubled between a replay and the live events after it.
/// Sinks only enqueue, so they are called under a short lock, never across an await.
/// </summary>
internal sealed class TopicFollower
{
    private const int WorkCapacity = 1024;

    private readonly RedisEventBus _bus;
    private readonly Channel<Work> _work = Channel.CreateBounded<Work>(new BoundedChannelOptions(WorkCapacity) { SingleReader = true, FullMode = BoundedChannelFullMode.Wait });
    private readonly Lock _lock = new();
    private readonly List<IWsRestEventSink> _sinks = [];
    private ChannelMessageQueue? _queue;
    private long _last;
    private long _epoch;

    public TopicFollower(RedisEventBus bus, string topic)
    {
        _bus = bus;
        Topic = topic;
        _ = Task.Run(RunAsync);
    }

    public string Topic { get; }

    /// <summary>The last sequence dispatched to this node's sinks (the floor for the publish script).</summary>
    public long Last => Volatile.Read(ref _last);

    /// <summary>The epoch of the topic's numbering as this node knows it; 0 before it knows one.</summary>
    public long Epoch => Volatile.Read(ref _epoch);

    /// <summary>Adds <paramref name="sink"/>; null when the follower is retiring (ask a new one).</summary>
    public async Task<IWsRestEventBusSubscription?> SubscribeAsync(long epoch, long fromSequence, IWsRestEventSink sink, CancellationToken cancellationToken)
    {
        var request = new TaskCompletionSource<IWsRestEventBusSubscription?>(TaskCreationOptions.RunContinuationsAsynchronously);
        if (!await PostAsync(new Work(WorkKind.Subscribe, default, fromSequence, sink, request, epoch), cancellationToken).ConfigureAwait(false))
        {
            return null;
        }

        return await request.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Redis came back: read what was published meanwhile.</summary>
    public void Resync() => _ = PostAsync(new Work(WorkKind.Resync, default, 0, null, null), CancellationToken.None).AsTask();

    private async ValueTask<bool> PostAsync(Work work, CancellationToken cancellationToken)
    {
        while (await _work.Writer.WaitToWriteAsync(cancellationToken).ConfigureAwait(false))
        {
            if (_work.Writer.TryWrite(work))
            {
                return true;
            }
        }

        return false;
    }

    private async Task RunAsync()
    {
        try
        {
            var redis = await _bus.Backplane.GetAsync().ConfigureAwait(false);
            _queue = await redis.GetSubscriber().SubscribeAsync(_bus.Backplane.Keys.EventChannel(Topic)).ConfigureAwait(false);
            _queue.OnMessage(message => PostAsync(new Work(WorkKind.Live, (byte[])message.Message!, 0, null, null), CancellationToken.None).AsTask());

            // Subscribed first, then the position: an event published in between is both counted and
            // notified, and the notification is skipped as already counted.
            _last = (long?)await redis.GetDatabase().StringGetAsync(_bus.Backplane.Keys.Sequence(Topic)).ConfigureAwait(false) ?? 0;
            _epoch = (long?)await redis.GetDatabase().StringGetAsync(_bus.Backplane.Keys.Epoch(Topic)).ConfigureAwait(false) ?? 0;
        }
        catch (Exception ex) when (Connections.RedisFailures.IsRedisFailure(ex))
        {
            await RetireAsync(Connections.RedisFailures.Wrap($"subscribing to topic '{Topic}'", ex)).ConfigureAwait(false);
            return;
        }

        await foreach (var work in _work.Reader.ReadAllAsync().ConfigureAwait(false))
        {
            switch (work.Kind)
            {
                case WorkKind.Live:
                    if (TryParse(work.Data, out var message))
                    {
                        await OnLiveAsync(message).ConfigureAwait(false);
                    }

                    break;
                case WorkKind.Subscribe:
                    await AddAsync(work).ConfigureAwait(false);
                    break;
                case WorkKind.Resync:
                    await ResyncAsync().ConfigureAwait(false);
                    break;
                case WorkKind.Release:
                    if (await TryRetireAsync().ConfigureAwait(false))
                    {
                        return;
                    }

                    break;
            }
        }
    }

    private bool TryParse(ReadOnlyMemory<byte> data, out EventMessage message)
    {
        try
        {
            message = EventMessage.Parse(data);
            return true;
        }
        catch (FormatException ex)
        {
            // Something other than the publish script wrote to the topic's channel: not an event.
            RedisLog.MalformedNotification(_bus.Logger, Topic, ex);
            message = default;
            return false;
        }
    }

    private async Task OnLiveAsync(EventMessage message)
    {
        if (message.Epoch != 0 && message.Epoch != _epoch)
        {
            // A new epoch: the numbering started again at 1 (Redis lost the topic while no node followed
            // it). Subscribers are told, and what came before in this epoch is read from the stream below.
            var restarted = _epoch != 0;
            Volatile.Write(ref _epoch, message.Epoch);
            if (restarted)
            {
                Volatile.Write(ref _last, 0);
            }

            lock (_lock)
            {
                foreach (var sink in _sinks)
                {
                    sink.OnEpoch(Topic, message.Epoch);
                }
            }
        }

        var last = _last;
        if (message.Sequence <= last)
        {
            return;
        }

        if (message.Sequence > last + 1)
        {
            // A notification went missing (this node's subscription dropped for a moment): the stream has it.
            await DeliverRangeAsync(null, last + 1, message.Sequence - 1).ConfigureAwait(false);
        }

        lock (_lock)
        {
            foreach (var sink in _sinks)
            {
                sink.OnEvent(Topic, message.Sequence, message.ContentType, message.Data);
            }
        }

        Volatile.Write(ref _last, message.Sequence);
    }

    private async Task AddAsync(Work work)
    {
        var sink = work.Sink!;
        var from = work.Sequence;
        if (_epoch != 0)
        {
            // A position in another epoch means nothing in this one: replay this epoch from its start.
            if (work.Epoch != 0 && work.Epoch != _epoch && from > 0)
            {
                from = 1;
            }

            sink.OnEpoch(Topic, _epoch);
        }

        if (from > 0 && from <= _last)
        {
            await DeliverRangeAsync(sink, from, _last).ConfigureAwait(false);
        }

        lock (_lock)
        {
            _sinks.Add(sink);
        }

        work.Request!.TrySetResult(new Subscription(this, sink, _last));
    }

    private async Task ResyncAsync()
    {
        long counter;
        try
        {
            var db = await _bus.Backplane.GetDatabaseAsync().ConfigureAwait(false);
            counter = (long?)await db.StringGetAsync(_bus.Backplane.Keys.Sequence(Topic)).ConfigureAwait(false) ?? 0;
            if (counter < _last)
            {
                // Redis lost the counter (restarted without persistence): raise it back, so new events are
                // not numbered below what subscribers here have already seen (and would skip).
                RedisLog.CounterLost(_bus.Logger, Topic, counter, _last);
                await db.ScriptEvaluateAsync(PublishScript.Raise, [_bus.Backplane.Keys.Sequence(Topic), _bus.Backplane.Keys.Epoch(Topic)], [_last, _epoch]).ConfigureAwait(false);
                return;
            }
        }
        catch (Exception ex) when (Connections.RedisFailures.IsRedisFailure(ex))
        {
            // Still unreachable: the next reconnect, or the next notification, catches up.
            RedisLog.ResyncFailed(_bus.Logger, Topic, ex);
            return;
        }

        if (counter > _last)
        {
            await DeliverRangeAsync(null, _last + 1, counter).ConfigureAwait(false);
            Volatile.Write(ref _last, counter);
        }
    }

    /// <summary>
    /// Replays <paramref name="from"/>..<paramref name="to"/> from the stream to one sink, or to all when
    /// <paramref name="only"/> is null; whatever the stream no longer holds, or Redis cannot give now, is a gap notice.
    /// </summary>
    private async Task DeliverRangeAsync(IWsRestEventSink? only, long from, long to)
    {
        var next = from;
        try
        {
            await foreach (var entry in _bus.ReadStreamAsync(Topic, from, to).ConfigureAwait(false))
            {
                if (entry.Sequence > next)
                {
                    Gap(only, next, entry.Sequence - 1);
                }

                Deliver(only, entry);
                next = entry.Sequence + 1;
            }
        }
        catch (Exception ex) when (Connections.RedisFailures.IsRedisFailure(ex))
        {
            RedisLog.ReplayFailed(_bus.Logger, Topic, next, to, ex);
        }

        if (next <= to)
        {
            Gap(only, next, to);
        }
    }

    private void Deliver(IWsRestEventSink? only, EventMessage entry)
    {
        if (only is not null)
        {
            only.OnEvent(Topic, entry.Sequence, entry.ContentType, entry.Data);
            return;
        }

        lock (_lock)
        {
            foreach (var sink in _sinks)
            {
                sink.OnEvent(Topic, entry.Sequence, entry.ContentType, entry.Data);
            }
        }
    }

    private void Gap(IWsRestEventSink? only, long first, long last)
    {
        if (only is not null)
        {
            only.OnGap(Topic, first, last);
            return;
        }

        lock (_lock)
        {
            foreach (var sink in _sinks)
            {
                sink.OnGap(Topic, first, last);
            }
        }
    }

    private async Task Remove(IWsRestEventSink sink)
    {
        bool empty;
        lock (_lock)
        {
            _sinks.Remove(sink);
            empty = _sinks.Count == 0;
        }

        if (empty)
        {
            await PostAsync(new Work(WorkKind.Release, default, 0, null, null), CancellationToken.None).ConfigureAwait(false);
        }
    }

    private async Task<bool> TryRetireAsync()
    {
        lock (_lock)
        {
            if (_sinks.Count > 0)
            {
                return false;
            }
        }

        await RetireAsync(null).ConfigureAwait(false);
        return true;
    }

    /// <summary>Leaves the bus, stops the channel subscription, and answers waiting subscribers: retry (null) or the failure.</summary>
    private async Task RetireAsync(Exception? failure)
    {
        _bus.Forget(this);
        _work.Writer.TryComplete();
        while (_work.Reader.TryRead(out var work))
        {
            if (work.Request is { } request)
            {
                if (failure is null)
                {
                    request.TrySetResult(null);
                }
                else
                {
                    request.TrySetException(failure);
                }
            }
        }

        if (_queue is { } queue)
        {
            try
            {
                await queue.UnsubscribeAsync().ConfigureAwait(false);
            }
            catch (Exception ex) when (Connections.RedisFailures.IsRedisFailure(ex))
            {
                // The client has dropped its own handler already; at worst Redis keeps sending this node a topic it ignores.
                RedisLog.UnsubscribeFailed(_bus.Logger, Topic, ex);
            }
        }
    }

    private enum WorkKind
    {
        Live,
        Subscribe,
        Resync,
        Release,
    }

    private readonly record struct Work(WorkKind Kind, ReadOnlyMemory<byte> Data, long Sequence, IWsRestEventSink? Sink, TaskCompletionSource<IWsRestEventBusSubscription?>? Request, long Epoch = 0);

    private sealed class Subscription(TopicFollower follower, IWsRestEventSink sink, long lastSequence) : IWsRestEventBusSubscription
    {
        private int _disposed;

        public long LastSequence { get; } = lastSequence;

        public async ValueTask DisposeAsync()
        {
            // Under the follower's sink lock: once this returns, the loop cannot be calling the sink.
            if (Interlocked.Exchange(ref _disposed, 1) == 0)
            {
                await follower.Remove(sink).ConfigureAwait(false);
            }
        }
    }
}
