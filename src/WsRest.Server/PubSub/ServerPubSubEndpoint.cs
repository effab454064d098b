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
internal sealed class ServerPubSubEndpoint : IPeerExtension, IQueuedFrameOwner
{
    private const int ControlCapacity = 256;
    private const int FramesInWriter = 64;

    private readonly IWsRestEventBus _bus;
    private readonly WsRestPubSubOptions _options;
    private readonly ILogger _logger;
    private readonly WsRestMetrics _metrics;
    // Made with the loops, on the first pub/sub frame (StartLoops): an idle connection that never uses
    // pub/sub holds none of them (about 1 KB with the channel's waiter objects; docs/benchmarks.md,
    // "Connection set-up and idle memory, issue 17"). Everything that reads them runs after that.
    private Channel<Control>? _control;
    private DropOldestQueue<Outgoing>? _queue;
    private SemaphoreSlim? _inWriter;
    private Dictionary<ulong, Subscription>? _subscriptions;
    private CancellationTokenSource? _closed;
    private WsRestPeer? _peer;
    private WsRestConnection? _connection;
    private Task _loops = Task.CompletedTask;
    private bool _loopsStarted;

    public ServerPubSubEndpoint(IWsRestEventBus bus, WsRestPubSubOptions options, ILogger logger, WsRestMetrics metrics)
    {
        _metrics = metrics;
        _bus = bus;
        _options = options;
        _logger = logger;
    }

    /// <summary>Binds the endpoint to its connection; call before the peer starts reading. The loops start with the first pub/sub frame.</summary>
    public void Start(WsRestPeer peer, WsRestConnection connection)
    {
        _peer = peer;
        _connection = connection;
    }

    /// <summary>The loops' end; already complete when the client never used pub/sub. Read once the peer has completed.</summary>
    public Task Completion => _loops;

    public bool Handles(FrameType type) => PubSubFrames.IsPubSubFrame(type);

    /// <summary>Nothing to do: the host binds the endpoint with <see cref="Start"/>, which also gives it the connection.</summary>
    public void OnStarted(WsRestPeer peer)
    {
    }

    public void OnFrame(in Frame frame) => OnFrame(frame.Type, frame.Flags, PubSubFrames.RequireId(frame), frame.Payload);

    private void OnFrame(FrameType type, FrameFlags flags, ulong id, ReadOnlySpan<byte> payload)
    {
        // Started here rather than with the connection: a client that never subscribes or publishes
        // (most idle connections) costs no loops, no pending waits and no task objects (docs/benchmarks.md,
        // "Idle connections"). Only events for a subscription reach the queue, and a subscription
        // starts with a frame, so nothing can be queued before this. Only the read loop calls here.
        if (!_loopsStarted)
        {
            _loopsStarted = true;
            _control = Channel.CreateBounded<Control>(new BoundedChannelOptions(ControlCapacity) { SingleReader = true, SingleWriter = true });
            // A drop is recorded in its subscription as the event leaves the queue (under the queue's lock), so
            // the pump, on reaching an ACK(Unsubscribed), finds every drop of an event that was queued before it.
            _queue = new DropOldestQueue<Outgoing>(_options.ConnectionQueueCapacity, static dropped => dropped.Subscription!.RecordDrop(dropped.Sequence));
            _inWriter = new SemaphoreSlim(FramesInWriter);
            _subscriptions = [];
            _closed = new CancellationTokenSource();
            _loops = Task.WhenAll(Task.Run(ControlLoopAsync), Task.Run(PumpAsync));
        }

        Control item;
        switch (type)
        {
            case FrameType.Subscribe:
                var (topic, from, epoch) = PubSubFrames.ReadSubscribeWithEpoch(payload);
                item = new Control(ControlKind.Subscribe, id, topic, from, null, default, epoch);
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

        if (!_control!.Writer.TryWrite(item))
        {
            // The client floods faster than subscriptions are processed: refuse this one, keep the connection.
            EnqueueControl(Outgoing.Refusal(id, $"Too many pub/sub operations pending (more than {ControlCapacity}); try again."));
        }
    }

    public void OnConnectionClosed(Exception? reason)
    {
        // Never made when the client used no pub/sub: nothing to end then.
        _control?.Writer.TryComplete();
        _queue?.Complete();
        _closed?.Cancel();
    }

    /// <summary>
    /// False: deliveries are bounded here (<see cref="FramesInWriter"/>, the drop-oldest queue) and do not
    /// come from reading the client, so a client behind on reading is still read from, and its UNSUBSCRIBE
    /// or publish is handled while deliveries wait for it.
    /// </summary>
    public bool PausesReading => false;

    public void OnQueuedFrameWritten(int length) => _inWriter!.Release();

    private async Task ControlLoopAsync()
    {
        try
        {
            await foreach (var item in _control!.Reader.ReadAllAsync().ConfigureAwait(false))
            {
                try
                {
                    await HandleAsync(item).ConfigureAwait(false);
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    // A bus failure (a backplane down) fails this operation, not the connection.
                    PubSubLog.OperationFailed(_logger, _connection!.Id, item.Kind.ToString(), item.Topic, ex);
                    EnqueueControl(Outgoing.Refusal(item.Id, $"The server could not {item.Kind.ToString().ToLowerInvariant()}: {ex.Message}"));
                }
            }
        }
        finally
        {
            foreach (var subscription in _subscriptions!.Values)
            {
                await subscription.Bus!.DisposeAsync().ConfigureAwait(false);
            }

            _subscriptions!.Clear();
        }
    }

    private async Task HandleAsync(Control item)
    {
        switch (item.Kind)
        {
            case ControlKind.Subscribe:
                if (_subscriptions!.ContainsKey(item.Id))
                {
                    Refuse(item.Id, $"Subscription id {item.Id} is already in use on this connection.");
                }
                else if (_subscriptions!.Count >= _options.MaxSubscriptionsPerConnection)
                {
                    Refuse(item.Id, $"This connection already holds {_subscriptions!.Count} subscriptions, the limit.");
                }
                else if (_options.AuthorizeSubscribe is { } authorize && !authorize(_connection!, item.Topic!))
                {
                    Refuse(item.Id, $"Subscribing to '{item.Topic}' is not allowed for this connection.");
                }
                else
                {
                    var subscription = new Subscription(this, item.Id, item.Topic!);
                    subscription.Bus = await _bus.SubscribeAsync(item.Topic!, item.Epoch, item.Sequence, subscription, _closed!.Token).ConfigureAwait(false);
                    _subscriptions![item.Id] = subscription;
                    EnqueueControl(Outgoing.Acknowledgement(item.Id, AckKind.Subscribed, subscription.Bus.LastSequence));
                }

                break;
            case ControlKind.Unsubscribe:
                if (_subscriptions!.Remove(item.Id, out var gone))
                {
                    // After this the bus calls the sink no more; the ACK queues behind every event already
                    // queued for the subscription, so none published before it is lost. The ACK names the
                    // subscription: an event queued before it but dropped after it was queued is reported
                    // just before the ACK (the pump takes the drops first), never after (issue 13 §4).
                    await gone.Bus!.DisposeAsync().ConfigureAwait(false);
                }

                EnqueueControl(Outgoing.Unsubscribed(item.Id, gone));
                break;
            case ControlKind.Publish:
                if (_options.AuthorizePublish is not { } mayPublish || !mayPublish(_connection!, item.Topic!))
                {
                    Refuse(item.Id, $"Publishing to '{item.Topic}' is not allowed for this connection.");
                    break;
                }

                var sequence = await _bus.PublishAsync(item.Topic!, item.ContentType!, item.Data, _closed!.Token).ConfigureAwait(false);
                _metrics.EventsPublished.Add(1);
                EnqueueControl(Outgoing.Acknowledgement(item.Id, AckKind.Published, sequence));
                break;
        }
    }

    private void Refuse(ulong id, string reason)
        => EnqueueControl(Outgoing.Refusal(id, reason));

    private void EnqueueControl(Outgoing item)
    {
        // Acknowledgements cannot be dropped; a client that keeps asking without reading its answers is
        // cut off instead of queued for without bound.
        if (_queue!.Count > MaxBacklog)
        {
            _peer?.Abort(new WsRestProtocolException($"More than {MaxBacklog} pub/sub messages wait for a client that does not read them."));
            return;
        }

        _queue!.Enqueue(item, droppable: false, out _);
        _metrics.EventQueueDepth.Add(1, s_server);
    }

    private int MaxBacklog => (2 * _options.ConnectionQueueCapacity) + 1024;

    private void EnqueueEvent(Subscription subscription, long sequence, string contentType, ReadOnlyMemory<byte> data)
    {
        var item = Outgoing.Event(subscription, sequence, contentType, data);
        _metrics.EventQueueDepth.Add(1, s_server);
        if (!_queue!.Enqueue(item, droppable: true, out var dropped))
        {
            // Slow reader: the oldest waiting event went (its drop is recorded already), and its
            // subscription will be told (gap notice) unless a notice is already waiting.
            _metrics.EventQueueDepth.Add(-1, s_server);
            _metrics.EventsDropped.Add(1, s_server);
            if (dropped.Subscription!.TryClaimNotice())
            {
                EnqueueControl(Outgoing.DropNotice(dropped.Subscription));
            }
        }
    }

    private void EnqueueGap(Subscription subscription, long from, long to)
        => EnqueueControl(Outgoing.Gap(subscription.Id, from, to));

    private void EnqueueEpoch(Subscription subscription, long epoch)
    {
        // Only a client that announced epochs understands the notice (protocol.md §10.1); an older client
        // reads an EVENT with unknown flags as a delivery.
        if (_peer!.RemoteSettings.PubSub >= PubSubFrames.PubSubWithEpochs)
        {
            EnqueueControl(Outgoing.EpochNotice(subscription.Id, epoch));
        }
    }

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
            _metrics.EventQueueDepth.Add(-_queue!.Count, s_server);
        }
    }

    private async Task PumpCoreAsync(WsRestPeer peer)
    {
        try
        {
            while (true)
            {
                var (ok, item) = await _queue!.DequeueAsync(CancellationToken.None).ConfigureAwait(false);
                if (!ok)
                {
                    return;
                }

                _metrics.EventQueueDepth.Add(-1, s_server);
                if (item is { Kind: OutgoingKind.Ack, Ack: AckKind.Unsubscribed, Subscription: { } leaving }
                    && leaving.TakeDrops() is { From: > 0 } dropped
                    && !await SendAsync(peer, FrameEncoder.ForQueue(FrameType.Event, PubSubFrames.Gap, item.Id, dropped, static (w, range) => PubSubFrames.WriteGap(w, range.From, range.To), owner: this)).ConfigureAwait(false))
                {
                    return;
                }

                if (!TryEncode(item, peer.MaxFramePayload, out var frame))
                {
                    continue;
                }

                if (!await SendAsync(peer, frame).ConfigureAwait(false))
                {
                    return;
                }

                if (item.Kind == OutgoingKind.Event)
                {
                    _metrics.EventsDelivered.Add(1, s_server);
                }
            }
        }
        catch (OperationCanceledException) when (_closed!.IsCancellationRequested)
        {
            // The connection ended while the writer was full: nothing more can be sent.
        }
    }

    /// <summary>Hands one frame to the writer once it has room for it; false when the connection is gone.</summary>
    private async ValueTask<bool> SendAsync(WsRestPeer peer, OutgoingFrame frame)
    {
        try
        {
            await _inWriter!.WaitAsync(_closed!.Token).ConfigureAwait(false);
        }
        catch
        {
            frame.ReturnPayload();
            throw;
        }

        return peer.Enqueue(frame);
    }

    /// <summary>The frame for <paramref name="item"/>; false when there is nothing to send (a drop notice whose drops were already reported).</summary>
    private bool TryEncode(in Outgoing item, int maxPayload, out OutgoingFrame frame)
    {
        switch (item.Kind)
        {
            case OutgoingKind.Event when item.Data.Length + 300 > maxPayload:
                // Larger than this client accepts in one message: sending it would fail the connection
                // (and its replay would fail the next one). The client is told it missed this event instead.
                _metrics.EventsDropped.Add(1, s_server);
                frame = FrameEncoder.ForQueue(FrameType.Event, PubSubFrames.Gap, item.Id, item.Sequence, static (w, sequence) => PubSubFrames.WriteGap(w, sequence, sequence), owner: this);
                return true;
            case OutgoingKind.Event:
                frame = FrameEncoder.ForQueue(FrameType.Event, FrameFlags.None, item.Id, item, static (w, item) =>
                {
                    PubSubFrames.WriteDeliveryHead(w, item.Sequence, item.ContentType!);
                    w.Write(item.Data.Span);
                }, 64 + item.Data.Length, this);
                return true;
            case OutgoingKind.Epoch:
                frame = FrameEncoder.ForQueue(FrameType.Event, PubSubFrames.Epoch, item.Id, item.Sequence, static (w, epoch) => PubSubFrames.WriteEpoch(w, epoch), owner: this);
                return true;
            case OutgoingKind.Gap:
                (long From, long To) range = item.Subscription is { } subscription ? subscription.TakeDrops() : (item.Sequence, item.GapTo);
                if (range.From == 0)
                {
                    frame = default;
                    return false;
                }

                frame = FrameEncoder.ForQueue(FrameType.Event, PubSubFrames.Gap, item.Id, range, static (w, range) => PubSubFrames.WriteGap(w, range.From, range.To), owner: this);
                return true;
            default:
                frame = FrameEncoder.ForQueue(FrameType.Ack, FrameFlags.None, item.Id, item, static (w, item) => PubSubFrames.WriteAck(w, item.Ack, item.Sequence, item.Reason ?? string.Empty), owner: this);
                return true;
        }
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
        Epoch,
        Ack,
    }

    private readonly record struct Control(ControlKind Kind, ulong Id, string? Topic, long Sequence, string? ContentType, ReadOnlyMemory<byte> Data, long Epoch = 0);

    /// <summary>Something waiting to be sent to the client: an event, a gap notice or an acknowledgement. Made only through the factories below.</summary>
    private readonly struct Outgoing
    {
        private Outgoing(OutgoingKind kind, ulong id, Subscription? subscription = null, long sequence = 0, long gapTo = 0, string? contentType = null, ReadOnlyMemory<byte> data = default, AckKind ack = default, string? reason = null)
        {
            Kind = kind;
            Id = id;
            Subscription = subscription;
            Sequence = sequence;
            GapTo = gapTo;
            ContentType = contentType;
            Data = data;
            Ack = ack;
            Reason = reason;
        }

        public OutgoingKind Kind { get; }

        /// <summary>The subscription or publish id the frame is sent on.</summary>
        public ulong Id { get; }

        /// <summary>The event's subscription, the subscription whose dropped events a drop notice reports, or the one an ACK(Unsubscribed) ends.</summary>
        public Subscription? Subscription { get; }

        /// <summary>The event's sequence, a gap's first sequence, the acknowledged sequence, or an epoch notice's epoch.</summary>
        public long Sequence { get; }

        /// <summary>A gap's last sequence.</summary>
        public long GapTo { get; }

        public string? ContentType { get; }

        public ReadOnlyMemory<byte> Data { get; }

        public AckKind Ack { get; }

        public string? Reason { get; }

        public static Outgoing Event(Subscription subscription, long sequence, string contentType, ReadOnlyMemory<byte> data)
            => new(OutgoingKind.Event, subscription.Id, subscription, sequence, contentType: contentType, data: data);

        /// <summary>A gap the bus reported (events the subscription can no longer get).</summary>
        public static Outgoing Gap(ulong id, long from, long to) => new(OutgoingKind.Gap, id, sequence: from, gapTo: to);

        /// <summary>A gap for events this connection dropped; its range is taken from the subscription when it is sent, so later drops join it.</summary>
        public static Outgoing DropNotice(Subscription subscription) => new(OutgoingKind.Gap, subscription.Id, subscription);

        public static Outgoing Acknowledgement(ulong id, AckKind ack, long sequence) => new(OutgoingKind.Ack, id, sequence: sequence, ack: ack, reason: string.Empty);

        /// <summary>ACK(Unsubscribed); with the subscription it ended, whose last drops are reported just before it.</summary>
        public static Outgoing Unsubscribed(ulong id, Subscription? subscription) => new(OutgoingKind.Ack, id, subscription, ack: AckKind.Unsubscribed, reason: string.Empty);

        /// <summary>The topic's numbering is <paramref name="epoch"/>'s from here on (protocol.md §10.5).</summary>
        public static Outgoing EpochNotice(ulong id, long epoch) => new(OutgoingKind.Epoch, id, sequence: epoch);

        public static Outgoing Refusal(ulong id, string reason) => new(OutgoingKind.Ack, id, ack: AckKind.Refused, reason: reason);
    }

    /// <summary>One subscription of this connection: the bus's sink, and the record of events dropped for it.</summary>
    private sealed class Subscription(ServerPubSubEndpoint endpoint, ulong id, string topic) : IWsRestEventSink
    {
        private readonly Lock _lock = new();
        private long _dropFrom;
        private long _dropTo;
        private bool _noticeQueued;

        public ulong Id { get; } = id;

        public string Topic { get; } = topic;

        public IWsRestEventBusSubscription? Bus { get; set; }

        public void OnEvent(string topic, long sequence, string contentType, ReadOnlyMemory<byte> data)
            => endpoint.EnqueueEvent(this, sequence, contentType, data);

        public void OnGap(string topic, long first, long last) => endpoint.EnqueueGap(this, first, last);

        public void OnEpoch(string topic, long epoch) => endpoint.EnqueueEpoch(this, epoch);

        /// <summary>Widens the dropped range (called under the queue's lock, as the event leaves it).</summary>
        public void RecordDrop(long sequence)
        {
            lock (_lock)
            {
                _dropFrom = _dropFrom == 0 ? sequence : Math.Min(_dropFrom, sequence);
                _dropTo = Math.Max(_dropTo, sequence);
            }
        }

        /// <summary>True when a gap notice must be queued: drops are recorded and no notice waits for them yet.</summary>
        public bool TryClaimNotice()
        {
            lock (_lock)
            {
                if (_dropFrom == 0 || _noticeQueued)
                {
                    return false;
                }

                _noticeQueued = true;
                return true;
            }
        }

        public (long From, long To) TakeDrops()
        {
            lock (_lock)
            {
                var range = (_dropFrom, _dropTo);
                _dropFrom = 0;
                _dropTo = 0;
                _noticeQueued = false;
                return range;
            }
        }
    }
}
