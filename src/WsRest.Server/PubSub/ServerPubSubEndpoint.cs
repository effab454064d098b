using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using WsRest.Diagnostics;
using WsRest.Engine;
using WsRest.Protocol;

namespace WsRest.Server.PubSub;

/// <summary>
/// Pub/sub for one connection (docs/pubsub.md). Frames from the read loop go to a control loop that
/// runs SUBSCRIBE, UNSUBSCRIBE and client publishes one at a time, in arrival order. Events for the
/// connection's subscriptions wait in one bounded queue (drop-oldest, with gap notices) and a pump
/// feeds them to the writer, with a bounded number in the writer at a time, so a client that reads
/// slowly holds bounded memory and never slows the publisher or other connections.
/// </summary>
[SuppressMessage("Reliability", "CA1001", Justification = "The semaphore never exposes a wait handle and the token source has no timer: neither holds anything to release.")]
internal sealed class ServerPubSubEndpoint : IPubSubEndpoint, IQueuedFrameOwner
{
    private const int ControlCapacity = 256;
    private const int FramesInWriter = 64;

    private readonly IWsRestEventBus _bus;
    private readonly WsRestPubSubOptions _options;
    private readonly ILogger _logger;
    private readonly Channel<Control> _control = Channel.CreateBounded<Control>(new BoundedChannelOptions(ControlCapacity) { SingleReader = true, SingleWriter = true });
    private readonly DropOldestQueue<Outgoing> _queue;
    private readonly SemaphoreSlim _inWriter = new(FramesInWriter);
    private readonly Dictionary<ulong, Subscription> _subscriptions = [];
    private readonly CancellationTokenSource _closed = new();
    private WsRestPeer? _peer;
    private WsRestConnection? _connection;
    private Task _loops = Task.CompletedTask;
    private bool _loopsStarted;

    public ServerPubSubEndpoint(IWsRestEventBus bus, WsRestPubSubOptions options, ILogger logger)
    {
        _bus = bus;
        _options = options;
        _logger = logger;
        _queue = new DropOldestQueue<Outgoing>(options.ConnectionQueueCapacity);
    }

    /// <summary>Binds the endpoint to its connection; call before the peer starts reading. The loops start with the first pub/sub frame.</summary>
    public void Start(WsRestPeer peer, WsRestConnection connection)
    {
        _peer = peer;
        _connection = connection;
    }

    /// <summary>The loops' end; already complete when the client never used pub/sub. Read once the peer has completed.</summary>
    public Task Completion => _loops;

    public void OnFrame(FrameType type, FrameFlags flags, ulong id, ReadOnlySpan<byte> payload)
    {
        // Started here rather than with the connection: a client that never subscribes or publishes
        // (most idle connections) costs no loops, no pending waits and no task objects (docs/benchmarks.md,
        // "Idle connections"). Only events for a subscription reach the queue, and a subscription
        // starts with a frame, so nothing can be queued before this. Only the read loop calls here.
        if (!_loopsStarted)
        {
            _loopsStarted = true;
            _loops = Task.WhenAll(Task.Run(ControlLoopAsync), Task.Run(PumpAsync));
        }

        Control item;
        switch (type)
        {
            case FrameType.Subscribe:
                var (topic, from) = PubSubFrames.ReadSubscribe(payload);
                item = new Control(ControlKind.Subscribe, id, topic, from, null, default);
                break;
            case FrameType.Unsubscribe:
                if (!payload.IsEmpty)
                {
                    throw new WsRestProtocolException("Malformed frame: UNSUBSCRIBE carries no payload.");
                }

                item = new Control(ControlKind.Unsubscribe, id, null, 0, null, default);
                break;
            case FrameType.Event when (flags & PubSubFrames.Publish) != 0:
                var data = PubSubFrames.ReadPublish(payload, out var publishTopic, out var contentType);
                item = new Control(ControlKind.Publish, id, publishTopic, 0, contentType, data.ToArray());
                break;
            default:
                throw new WsRestProtocolException($"A client may not send {type.ToString().ToUpperInvariant()}{(type == FrameType.Event ? " deliveries" : string.Empty)}; it sends SUBSCRIBE, UNSUBSCRIBE and publishing EVENTs.");
        }

        if (!_control.Writer.TryWrite(item))
        {
            // The client floods faster than subscriptions are processed: refuse this one, keep the connection.
            EnqueueControl(new Outgoing(OutgoingKind.Ack, null, id, 0, 0, null, default, AckKind.Refused, $"Too many pub/sub operations pending (more than {ControlCapacity}); try again."));
        }
    }

    public void OnConnectionClosed(Exception? reason)
    {
        _control.Writer.TryComplete();
        _queue.Complete();
        _closed.Cancel();
    }

    public void OnQueuedFrameWritten(int length) => _inWriter.Release();

    private async Task ControlLoopAsync()
    {
        try
        {
            await foreach (var item in _control.Reader.ReadAllAsync().ConfigureAwait(false))
            {
                try
                {
                    await HandleAsync(item).ConfigureAwait(false);
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    // A bus failure (a backplane down) fails this operation, not the connection.
                    PubSubLog.OperationFailed(_logger, _connection!.Id, item.Kind.ToString(), item.Topic, ex);
                    EnqueueControl(new Outgoing(OutgoingKind.Ack, null, item.Id, 0, 0, null, default, AckKind.Refused, $"The server could not {item.Kind.ToString().ToLowerInvariant()}: {ex.Message}"));
                }
            }
        }
        finally
        {
            foreach (var subscription in _subscriptions.Values)
            {
                await subscription.Bus!.DisposeAsync().ConfigureAwait(false);
            }

            _subscriptions.Clear();
        }
    }

    private async Task HandleAsync(Control item)
    {
        switch (item.Kind)
        {
            case ControlKind.Subscribe:
                if (_subscriptions.ContainsKey(item.Id))
                {
                    Refuse(item.Id, $"Subscription id {item.Id} is already in use on this connection.");
                }
                else if (_subscriptions.Count >= _options.MaxSubscriptionsPerConnection)
                {
                    Refuse(item.Id, $"This connection already holds {_subscriptions.Count} subscriptions, the limit.");
                }
                else if (_options.AuthorizeSubscribe is { } authorize && !authorize(_connection!, item.Topic!))
                {
                    Refuse(item.Id, $"Subscribing to '{item.Topic}' is not allowed for this connection.");
                }
                else
                {
                    var subscription = new Subscription(this, item.Id, item.Topic!);
                    subscription.Bus = await _bus.SubscribeAsync(item.Topic!, item.Sequence, subscription, _closed.Token).ConfigureAwait(false);
                    _subscriptions[item.Id] = subscription;
                    EnqueueControl(new Outgoing(OutgoingKind.Ack, null, item.Id, subscription.Bus.LastSequence, 0, null, default, AckKind.Subscribed, string.Empty));
                }

                break;
            case ControlKind.Unsubscribe:
                if (_subscriptions.Remove(item.Id, out var gone))
                {
                    // After this the bus calls the sink no more; the ACK queues behind every event already
                    // queued for the subscription, so none published before it is lost.
                    await gone.Bus!.DisposeAsync().ConfigureAwait(false);
                }

                EnqueueControl(new Outgoing(OutgoingKind.Ack, null, item.Id, 0, 0, null, default, AckKind.Unsubscribed, string.Empty));
                break;
            case ControlKind.Publish:
                if (_options.AuthorizePublish is not { } mayPublish || !mayPublish(_connection!, item.Topic!))
                {
                    Refuse(item.Id, $"Publishing to '{item.Topic}' is not allowed for this connection.");
                    break;
                }

                var sequence = await _bus.PublishAsync(item.Topic!, item.ContentType!, item.Data, _closed.Token).ConfigureAwait(false);
                WsRestMetrics.EventsPublished.Add(1);
                EnqueueControl(new Outgoing(OutgoingKind.Ack, null, item.Id, sequence, 0, null, default, AckKind.Published, string.Empty));
                break;
        }
    }

    private void Refuse(ulong id, string reason)
        => EnqueueControl(new Outgoing(OutgoingKind.Ack, null, id, 0, 0, null, default, AckKind.Refused, reason));

    private void EnqueueControl(Outgoing item)
    {
        // Acknowledgements cannot be dropped; a client that keeps asking without reading its answers is
        // cut off instead of queued for without bound.
        if (_queue.Count > MaxBacklog)
        {
            _peer?.Abort(new WsRestProtocolException($"More than {MaxBacklog} pub/sub messages wait for a client that does not read them."));
            return;
        }

        _queue.Enqueue(item, droppable: false, out _);
        WsRestMetrics.EventQueueDepth.Add(1, s_server);
    }

    private int MaxBacklog => (2 * _options.ConnectionQueueCapacity) + 1024;

    private void EnqueueEvent(Subscription subscription, long sequence, string contentType, ReadOnlyMemory<byte> data)
    {
        var item = new Outgoing(OutgoingKind.Event, subscription, subscription.Id, sequence, 0, contentType, data, default, null);
        WsRestMetrics.EventQueueDepth.Add(1, s_server);
        if (!_queue.Enqueue(item, droppable: true, out var dropped))
        {
            // Slow reader: the oldest waiting event goes, and its subscription will be told (gap notice).
            WsRestMetrics.EventQueueDepth.Add(-1, s_server);
            WsRestMetrics.EventsDropped.Add(1, s_server);
            if (dropped.Subscription!.RecordDrop(dropped.Sequence))
            {
                EnqueueControl(new Outgoing(OutgoingKind.Gap, dropped.Subscription, dropped.Subscription.Id, 0, 0, null, default, default, null));
            }
        }
    }

    private void EnqueueGap(Subscription subscription, long from, long to)
        => EnqueueControl(new Outgoing(OutgoingKind.Gap, null, subscription.Id, from, to, null, default, default, null));

    private async Task PumpAsync()
    {
        var peer = _peer!;
        try
        {
            await PumpCoreAsync(peer).ConfigureAwait(false);
        }
        finally
        {
            // Whatever was still queued when the connection ended leaves the depth gauge too.
            WsRestMetrics.EventQueueDepth.Add(-_queue.Count, s_server);
        }
    }

    private async Task PumpCoreAsync(WsRestPeer peer)
    {
        try
        {
            while (true)
            {
                var (ok, item) = await _queue.DequeueAsync(CancellationToken.None).ConfigureAwait(false);
                if (!ok)
                {
                    return;
                }

                WsRestMetrics.EventQueueDepth.Add(-1, s_server);
                var frame = Encode(item, peer.MaxFramePayload);
                if (frame is null)
                {
                    continue;
                }

                await _inWriter.WaitAsync(_closed.Token).ConfigureAwait(false);
                var buffer = frame.DetachBuffer(out var length);
                if (!peer.Enqueue(OutgoingFrame.Raw(buffer, length, owner: this)))
                {
                    return;
                }

                if (item.Kind == OutgoingKind.Event)
                {
                    WsRestMetrics.EventsDelivered.Add(1, s_server);
                }
            }
        }
        catch (OperationCanceledException) when (_closed.IsCancellationRequested)
        {
            // The connection ended while the writer was full: nothing more can be sent.
        }
    }

    private static PooledBufferWriter? Encode(Outgoing item, int maxPayload)
    {
        using var payload = new PooledBufferWriter(64 + item.Data.Length);
        FrameType type;
        var flags = FrameFlags.None;
        switch (item.Kind)
        {
            case OutgoingKind.Event when item.Data.Length + 300 > maxPayload:
                // Larger than this client accepts in one message: sending it would fail the connection
                // (and its replay would fail the next one). The client is told it missed this event instead.
                WsRestMetrics.EventsDropped.Add(1, s_server);
                type = FrameType.Event;
                flags = PubSubFrames.Gap;
                PubSubFrames.WriteGap(payload, item.Sequence, item.Sequence);
                break;
            case OutgoingKind.Event:
                type = FrameType.Event;
                PubSubFrames.WriteDeliveryHead(payload, item.Sequence, item.ContentType!);
                payload.Write(item.Data.Span);
                break;
            case OutgoingKind.Gap:
                var (from, to) = item.Subscription is { } subscription ? subscription.TakeDrops() : (item.Sequence, item.Sequence2);
                if (from == 0)
                {
                    return null;
                }

                type = FrameType.Event;
                flags = PubSubFrames.Gap;
                PubSubFrames.WriteGap(payload, from, to);
                break;
            default:
                type = FrameType.Ack;
                PubSubFrames.WriteAck(payload, item.Ack, item.Sequence, item.Reason ?? string.Empty);
                break;
        }

        var frame = new PooledBufferWriter(payload.WrittenCount + FrameCodec.MaxHeaderLength);
        FrameCodec.WriteFrame(frame, type, flags, item.Id, payload.WrittenSpan);
        return frame;
    }

    private static readonly KeyValuePair<string, object?> s_server = WsRestMetrics.Role(isServer: true);

    private enum ControlKind
    {
        Subscribe,
        Unsubscribe,
        Publish,
    }

    private enum OutgoingKind
    {
        Event,
        Gap,
        Ack,
    }

    private readonly record struct Control(ControlKind Kind, ulong Id, string? Topic, long Sequence, string? ContentType, ReadOnlyMemory<byte> Data);

    private readonly record struct Outgoing(OutgoingKind Kind, Subscription? Subscription, ulong Id, long Sequence, long Sequence2, string? ContentType, ReadOnlyMemory<byte> Data, AckKind Ack, string? Reason);

    /// <summary>One subscription of this connection: the bus's sink, and the record of events dropped for it.</summary>
    private sealed class Subscription(ServerPubSubEndpoint endpoint, ulong id, string topic) : IWsRestEventSink
    {
        private readonly Lock _lock = new();
        private long _dropFrom;
        private long _dropTo;

        public ulong Id { get; } = id;

        public string Topic { get; } = topic;

        public IWsRestEventBusSubscription? Bus { get; set; }

        public void OnEvent(string topic, long sequence, string contentType, ReadOnlyMemory<byte> data)
            => endpoint.EnqueueEvent(this, sequence, contentType, data);

        public void OnGap(string topic, long first, long last) => endpoint.EnqueueGap(this, first, last);

        /// <summary>Widens the dropped range; true when a gap notice must be queued (none is pending yet).</summary>
        public bool RecordDrop(long sequence)
        {
            lock (_lock)
            {
                var first = _dropFrom == 0;
                _dropFrom = first ? sequence : Math.Min(_dropFrom, sequence);
                _dropTo = Math.Max(_dropTo, sequence);
                return first;
            }
        }

        public (long From, long To) TakeDrops()
        {
            lock (_lock)
            {
                var range = (_dropFrom, _dropTo);
                _dropFrom = 0;
                _dropTo = 0;
                return range;
            }
        }
    }
}
