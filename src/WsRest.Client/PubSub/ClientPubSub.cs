using System.Buffers;
using System.Net.Http;
using Microsoft.Extensions.Logging;
using WsRest.Diagnostics;
using WsRest.Engine;
using WsRest.Http;
using WsRest.Protocol;

namespace WsRest.Client;

/// <summary>
/// The client's subscriptions and publishes; it outlives connections. On every (re)connection it
/// subscribes again from where each subscription left off (docs/pubsub.md, "across reconnects").
/// Subscription and publish ids share one counter, so an ACK names exactly one of them.
/// </summary>
internal sealed class ClientPubSub
{
    private readonly Func<CancellationToken, Task<WsRestPeer>> _peers;
    private readonly Uri _endpoint;
    private readonly ILogger _logger;
    private readonly int _queueCapacity;
    private readonly CancellationToken _closing;
    private readonly Lock _lock = new();
    private readonly Dictionary<ulong, WsRestSubscription> _subscriptions = [];
    private readonly Dictionary<ulong, (TaskCompletionSource<long> Ack, Endpoint Connection)> _publishes = [];
    private Endpoint? _current;

    // Connections started and not yet announced as ended (OnConnectionEnded): at most the current one and
    // the ones draining after a GOAWAY.
    private readonly List<Endpoint> _live = [];
    private long _nextId;
    private readonly WsRestMetrics _metrics;

    /// <param name="peers">The client's current connection, connecting (or waiting for a reconnect) if needed.</param>
    /// <param name="endpoint">The server's address, for messages.</param>
    /// <param name="logger">Logs handler failures of subscriptions.</param>
    /// <param name="queueCapacity">Events a subscription holds for its handler.</param>
    /// <param name="metrics">Where subscriptions record deliveries, drops and queue depth.</param>
    /// <param name="closing">Signalled when the client is disposed.</param>
    public ClientPubSub(Func<CancellationToken, Task<WsRestPeer>> peers, Uri endpoint, ILogger logger, int queueCapacity, WsRestMetrics metrics, CancellationToken closing)
    {
        _metrics = metrics;
        _peers = peers;
        _endpoint = endpoint;
        _logger = logger;
        _queueCapacity = queueCapacity;
        _closing = closing;
    }

    /// <summary>The pub/sub extension of one new connection; it reports back when its peer starts.</summary>
    public Endpoint CreateEndpoint() => new(this);

    /// <summary>A connection is up: subscribe everything again, each from the event after the last one received.</summary>
    private void OnConnected(Endpoint endpoint, WsRestPeer peer)
    {
        WsRestSubscription[] subscriptions;
        lock (_lock)
        {
            _current = endpoint;
            _live.Add(endpoint);
            subscriptions = [.. _subscriptions.Values];
        }

        foreach (var subscription in subscriptions)
        {
            lock (_lock)
            {
                // Under the lock UnsubscribeAsync takes too: an UNSUBSCRIBE is sent on the connection the
                // subscription is (or is about to be) subscribed on, never on this one ahead of the SUBSCRIBE
                // below (that one would be acknowledged at once, and the events still on their way on the
                // old connection, published before the unsubscribe, discarded on arrival).
                if (!subscription.IsUnsubscribing)
                {
                    // The epoch only to a server that announced epochs (an older one refuses bytes after the from sequence).
                    var epoch = peer.RemoteSettings.PubSub >= PubSubFrames.PubSubWithEpochs ? subscription.ResumeEpoch : 0;
                    subscription.SubscribedOn = endpoint;
                    Send(peer, FrameType.Subscribe, FrameFlags.None, subscription.Id, (subscription.Topic, From: subscription.TakeResumeFrom(), epoch), static (w, s) => PubSubFrames.WriteSubscribe(w, s.Topic, s.From, s.epoch));
                    continue;
                }

                if (subscription.UnsubscribedOn is { Ended: false })
                {
                    // Sent on a connection that still drains after its GOAWAY (or ends, unannounced yet): its
                    // acknowledgement (or its announced end) completes the unsubscribe, after the events
                    // published before it.
                    continue;
                }
            }

            // The server forgot it with the old connection: nothing more will come.
            Remove(subscription.Id);
            subscription.OnUnsubscribed();
        }
    }

    public async Task<WsRestSubscription> SubscribeAsync(string topic, Func<WsRestEvent, CancellationToken, ValueTask> handler, CancellationToken cancellationToken)
    {
        WsRestTopic.Validate(topic);
        ArgumentNullException.ThrowIfNull(handler);
        var peer = await ConnectedPeerAsync(cancellationToken).ConfigureAwait(false);
        var id = (ulong)Interlocked.Increment(ref _nextId);
        var subscription = new WsRestSubscription(id, topic, handler, _queueCapacity, _logger, UnsubscribeAsync, _metrics, _closing);
        lock (_lock)
        {
            _subscriptions[id] = subscription;
            subscription.SubscribedOn = _current is { } current && ReferenceEquals(current.Peer, peer) ? current : null;
        }

        // If this connection drops before the ACK, the reconnect subscribes again and its ACK completes this.
        Send(peer, FrameType.Subscribe, FrameFlags.None, id, topic, static (w, topic) => PubSubFrames.WriteSubscribe(w, topic, 0));
        try
        {
            await subscription.Live.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            _ = subscription.DisposeAsync().AsTask();
            throw;
        }

        return subscription;
    }

    public async Task<long> PublishAsync(string topic, string contentType, ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
    {
        WsRestTopic.Validate(topic);
        var (peer, endpoint) = await ConnectedEndpointAsync(cancellationToken).ConfigureAwait(false);
        if (data.Length + topic.Length * 3 + contentType.Length * 3 + 32 > peer.MaxFramePayload)
        {
            throw new ArgumentException($"The event ({data.Length} bytes) is larger than the server accepts in one message ({peer.MaxFramePayload} bytes).", nameof(data));
        }

        var id = (ulong)Interlocked.Increment(ref _nextId);
        var ack = new TaskCompletionSource<long>(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_lock)
        {
            _publishes[id] = (ack, endpoint);
        }

        if (!Send(peer, FrameType.Event, PubSubFrames.Publish, id, (topic, contentType, data), static (w, p) =>
            {
                PubSubFrames.WritePublishHead(w, p.topic, p.contentType);
                w.Write(p.data.Span);
            }))
        {
            TakePublish(id);
            throw HttpErrors.ToHttp(peer.CreateClosedException(notSent: true));
        }

        try
        {
            return await ack.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            TakePublish(id);
        }
    }

    public void Close()
    {
        WsRestSubscription[] subscriptions;
        (TaskCompletionSource<long> Ack, Endpoint Connection)[] publishes;
        lock (_lock)
        {
            subscriptions = [.. _subscriptions.Values];
            publishes = [.. _publishes.Values];
            _subscriptions.Clear();
            _publishes.Clear();
        }

        foreach (var subscription in subscriptions)
        {
            subscription.Close();
        }

        foreach (var (ack, _) in publishes)
        {
            ack.TrySetException(new ObjectDisposedException("WsRestClient"));
        }
    }

    private async ValueTask UnsubscribeAsync(WsRestSubscription subscription)
    {
        Endpoint? current;
        lock (_lock)
        {
            // On the connection it is subscribed on (the current one may not have its SUBSCRIBE yet), even
            // one that received GOAWAY: it still delivers the subscription's events until it ends (the server
            // reads frames while it drains), and completing here instead would discard the events published
            // before the unsubscribe that are still on their way.
            current = subscription.SubscribedOn ?? _current;
            if (current is { IsClosed: false, Peer: { IsClosing: false } peer }
                && Send(peer, FrameType.Unsubscribe, FrameFlags.None, subscription.Id, 0, static (_, _) => { }))
            {
                subscription.UnsubscribedOn = current;
                return;
            }

            if (current is { Ended: false })
            {
                // The connection is ending and the client has not announced it yet (Disconnected): completing
                // now, a caller that checks for a lost connection right after DisposeAsync would see none and
                // count the events lost with it as silently lost (the soak did). OnConnectionEnded completes
                // the unsubscribe once the loss was announced.
                subscription.UnsubscribedOn = current;
                return;
            }
        }

        // No connection: the server forgets subscriptions with the connection, and nothing can arrive
        // meanwhile, so the unsubscribe completes here once the queued events are handled.
        Remove(subscription.Id);
        subscription.OnUnsubscribed();
        await Task.CompletedTask.ConfigureAwait(false);
    }

    /// <summary>
    /// The connection of <paramref name="peer"/> has ended and the client has announced it: the unsubscribes
    /// sent on it will never be acknowledged (the server forgot them with the connection), so they complete
    /// now, after the events already queued. Only those sent on this connection: one that ends after a
    /// GOAWAY, while the UNSUBSCRIBE waits for its ACK on the next connection, must not complete it early
    /// (that lost the soak's last events).
    /// </summary>
    public void OnConnectionEnded(WsRestPeer peer)
    {
        WsRestSubscription[] leaving;
        lock (_lock)
        {
            var index = _live.FindIndex(e => ReferenceEquals(e.Peer, peer));
            if (index >= 0)
            {
                _live[index].Ended = true;
                _live.RemoveAt(index);
            }

            leaving = [.. _subscriptions.Values.Where(s => s.IsUnsubscribing && s.UnsubscribedOn is { } on && ReferenceEquals(on.Peer, peer))];
            foreach (var subscription in leaving)
            {
                _subscriptions.Remove(subscription.Id);
            }
        }

        foreach (var subscription in leaving)
        {
            subscription.OnUnsubscribed();
        }
    }

    private async Task<WsRestPeer> ConnectedPeerAsync(CancellationToken cancellationToken)
    {
        var peer = await _peers(cancellationToken).ConfigureAwait(false);
        if (peer.RemoteSettings.PubSub == 0)
        {
            throw new NotSupportedException($"The server at {_endpoint} does not offer pub/sub.");
        }

        return peer;
    }

    /// <summary>The current connection with its pub/sub extension (a publish is tied to the connection it was sent on).</summary>
    private async Task<(WsRestPeer Peer, Endpoint Endpoint)> ConnectedEndpointAsync(CancellationToken cancellationToken)
    {
        var peer = await ConnectedPeerAsync(cancellationToken).ConfigureAwait(false);
        lock (_lock)
        {
            // Every peer the client hands out was started, so its extension has reported it; another
            // one here means a reconnect replaced this connection meanwhile: nothing was sent on it.
            if (_current is { } current && ReferenceEquals(current.Peer, peer))
            {
                return (peer, current);
            }
        }

        throw HttpErrors.ToHttp(peer.CreateClosedException(notSent: true));
    }

    private static bool Send<TState>(WsRestPeer peer, FrameType type, FrameFlags flags, ulong id, TState state, Action<IBufferWriter<byte>, TState> writePayload)
        => peer.Enqueue(FrameEncoder.ForQueue(type, flags, id, state, writePayload));

    private WsRestSubscription? Find(ulong id)
    {
        lock (_lock)
        {
            return _subscriptions.GetValueOrDefault(id);
        }
    }

    private void Remove(ulong id)
    {
        lock (_lock)
        {
            _subscriptions.Remove(id);
        }
    }

    private TaskCompletionSource<long>? TakePublish(ulong id)
    {
        lock (_lock)
        {
            return _publishes.Remove(id, out var publish) ? publish.Ack : null;
        }
    }

    /// <summary>The pub/sub extension of one connection: its frames arrive on the connection's read loop.</summary>
    internal sealed class Endpoint(ClientPubSub owner) : IPeerExtension
    {
        public WsRestPeer? Peer { get; private set; }

        /// <summary>The connection has ended (set under the owner's lock).</summary>
        public bool IsClosed { get; private set; }

        /// <summary>The client has announced the end (<see cref="ClientPubSub.OnConnectionEnded"/>; set under the owner's lock).</summary>
        public bool Ended { get; set; }

        public bool Handles(FrameType type) => PubSubFrames.IsPubSubFrame(type);

        public void OnStarted(WsRestPeer peer)
        {
            Peer = peer;
            owner.OnConnected(this, peer);
        }

        public void OnFrame(in Frame frame)
        {
            var id = PubSubFrames.RequireId(frame);
            var type = frame.Type;
            var flags = frame.Flags;
            var payload = frame.Payload;
            switch (type)
            {
                case FrameType.Event when (flags & PubSubFrames.Publish) == 0:
                    var subscription = owner.Find(id);
                    if ((flags & PubSubFrames.Epoch) != 0)
                    {
                        subscription?.OnEpoch(PubSubFrames.ReadEpoch(payload));
                    }
                    else if ((flags & PubSubFrames.Gap) != 0)
                    {
                        var (from, to) = PubSubFrames.ReadGap(payload);
                        subscription?.OnGap(from, to);
                    }
                    else
                    {
                        var data = PubSubFrames.ReadDelivery(payload, out var sequence, out var contentType);
                        subscription?.OnEvent(sequence, contentType, data.ToArray());
                    }

                    break;
                case FrameType.Ack:
                    OnAck(id, PubSubFrames.ReadAck(payload));
                    break;
                default:
                    throw new WsRestProtocolException($"A server may not send {type.ToString().ToUpperInvariant()}{(type == FrameType.Event ? " with the publish flag" : string.Empty)} to a client.");
            }
        }

        public void OnConnectionClosed(Exception? reason)
        {
            // Unsubscribes waiting for an ACK from this connection will never get it; they complete in
            // OnConnectionEnded, which the client calls once it has announced the loss (Disconnected), so
            // a caller whose unsubscribe the loss completed already sees that the connection was lost.
            lock (owner._lock)
            {
                IsClosed = true;
            }

            (ulong Id, TaskCompletionSource<long> Ack)[] lost;
            lock (owner._lock)
            {
                lost = [.. owner._publishes.Where(p => ReferenceEquals(p.Value.Connection, this)).Select(p => (p.Key, p.Value.Ack))];
                foreach (var (id, _) in lost)
                {
                    owner._publishes.Remove(id);
                }
            }

            foreach (var (_, ack) in lost)
            {
                ack.TrySetException(new HttpRequestException(HttpRequestError.ConnectionError, "The connection was lost before the server acknowledged the publish; it may or may not have been published.", reason));
            }
        }

        private void OnAck(ulong id, (AckKind Kind, long Sequence, string Reason) ack)
        {
            if (owner.TakePublish(id) is { } publish)
            {
                if (ack.Kind == AckKind.Published)
                {
                    publish.TrySetResult(ack.Sequence);
                }
                else
                {
                    publish.TrySetException(new UnauthorizedAccessException(ack.Reason));
                }

                return;
            }

            var subscription = owner.Find(id);
            switch (ack.Kind)
            {
                case AckKind.Subscribed:
                    subscription?.OnSubscribed(ack.Sequence);
                    break;
                case AckKind.Unsubscribed:
                    owner.Remove(id);
                    subscription?.OnUnsubscribed();
                    break;
                case AckKind.Refused:
                    owner.Remove(id);
                    subscription?.OnRefused(new UnauthorizedAccessException(ack.Reason));
                    break;
            }
        }
    }
}
