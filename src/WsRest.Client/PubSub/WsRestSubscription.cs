using Microsoft.Extensions.Logging;
using WsRest.Diagnostics;

namespace WsRest.Client;

/// <summary>
/// A live subscription to a topic (docs/pubsub.md). Its handler runs serially, in sequence order;
/// disposing it unsubscribes, and completes once every event published before the server acknowledged
/// the unsubscribe has been handled.
/// </summary>
public sealed class WsRestSubscription : IAsyncDisposable
{
    private static readonly AsyncLocal<WsRestSubscription?> s_handling = new();

    private readonly Func<WsRestEvent, CancellationToken, ValueTask> _handler;
    private readonly ILogger _logger;
    private readonly WsRestMetrics _metrics;
    private readonly DropOldestQueue<Item> _queue;
    private readonly TaskCompletionSource _live = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _unsubscribed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly CancellationToken _clientClosing;
    private readonly Task _loop;
    private long _expected;
    private long _lastReceived;
    private long _resumedFrom;
    private int _unsubscribing;

    // The epoch of what has arrived (read loop; where to resume) and of what has been handled (handler
    // loop; what the handler is told). They differ while an epoch notice waits in the queue.
    private long _arrivalEpoch;
    private long _epoch;
    private int _restarted;

    internal WsRestSubscription(ulong id, string topic, Func<WsRestEvent, CancellationToken, ValueTask> handler, int queueCapacity, ILogger logger, Func<WsRestSubscription, ValueTask> unsubscribe, WsRestMetrics metrics, CancellationToken clientClosing)
    {
        _metrics = metrics;
        Id = id;
        Topic = topic;
        _handler = handler;
        _logger = logger;
        _clientClosing = clientClosing;
        _queue = new DropOldestQueue<Item>(queueCapacity);
        Unsubscribe = unsubscribe;
        _loop = Task.Run(RunAsync, CancellationToken.None);
    }

    /// <summary>The topic.</summary>
    public string Topic { get; }

    /// <summary>
    /// The epoch of the topic's numbering that <see cref="LastSequence"/> belongs to; it changes (and the
    /// handler gets a <see cref="WsRestEventKind.Reset"/>) when the numbering restarts. 0 when the server
    /// announces no epochs.
    /// </summary>
    public long Epoch => Interlocked.Read(ref _epoch);

    /// <summary>The sequence (in <see cref="Epoch"/>) up to which this subscription is complete: handled, or reported to the handler as a gap (0 before it is live).</summary>
    public long LastSequence => Interlocked.Read(ref _expected) is var next and > 0 ? next - 1 : 0;

    /// <summary>
    /// Completes when the subscription has ended after its last event was handled (unsubscribed, or the
    /// client closed); faults with <see cref="UnauthorizedAccessException"/> when the server refused to
    /// restore it after a reconnect.
    /// </summary>
    public Task Completion => _completion.Task;

    internal ulong Id { get; }

    internal Task Live => _live.Task;

    internal bool IsUnsubscribing => Volatile.Read(ref _unsubscribing) != 0;

    /// <summary>Where to resume after a reconnect: the event after the last one received, or 0 (live only); 1 when the numbering restarted and nothing of the new epoch arrived yet.</summary>
    internal long ResumeFrom
    {
        get
        {
            var received = Interlocked.Read(ref _lastReceived);
            return received > 0 ? received + 1 : Volatile.Read(ref _restarted) != 0 ? 1 : Interlocked.Read(ref _expected);
        }
    }

    /// <summary>
    /// The connection its UNSUBSCRIBE was sent on (read and written under the owner's lock): only that
    /// connection's end may complete the unsubscribe without an acknowledgement. An older connection
    /// still draining after a GOAWAY, or a newer one, says nothing about it.
    /// </summary>
    internal ClientPubSub.Endpoint? UnsubscribedOn { get; set; }

    /// <summary>The connection its last SUBSCRIBE was sent on (under the owner's lock); null when not known.</summary>
    internal ClientPubSub.Endpoint? SubscribedOn { get; set; }

    /// <summary>The epoch <see cref="ResumeFrom"/> belongs to; 0 when none was announced.</summary>
    internal long ResumeEpoch => Interlocked.Read(ref _arrivalEpoch);

    private Func<WsRestSubscription, ValueTask> Unsubscribe { get; }

    /// <summary><see cref="ResumeFrom"/>, remembered as the position a re-SUBSCRIBE asks for (its acknowledgement is compared with it).</summary>
    internal long TakeResumeFrom()
    {
        var from = ResumeFrom;
        Interlocked.Exchange(ref _resumedFrom, from);
        return from;
    }

    /// <summary>
    /// Unsubscribes. Completes when the server has acknowledged and every event published before that was
    /// handled. Called from inside this subscription's own handler, it does not wait (the handler would
    /// wait for itself): the remaining events are handled after the handler returns.
    /// </summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _unsubscribing, 1) == 0)
        {
            await Unsubscribe(this).ConfigureAwait(false);
        }

        if (!ReferenceEquals(s_handling.Value, this))
        {
            await _unsubscribed.Task.ConfigureAwait(false);
        }

        _completion.TrySetResult();
    }

    internal void OnSubscribed(long lastSequence)
    {
        // A fresh live subscription expects the event after the topic's last; a resumed one keeps its place,
        // unless the topic's numbering went back (a restarted server without epochs): then the new
        // numbering is followed, or every new event would look already handled. A server with epochs says
        // so with an epoch notice instead, ordered with the events (OnEpoch), and needs no guessing here.
        // "Went back" is judged against the position the re-SUBSCRIBE asked for, never against what the
        // handler has reached: after a GOAWAY the draining connection keeps delivering past the new
        // connection's acknowledged sequence, and moving back to it would hand those events (or a gap for
        // them) to the handler a second time (the soak's "event 3013 after 3013", "gap 339..339 after 339").
        var askedFrom = Interlocked.Exchange(ref _resumedFrom, 0);
        if (Interlocked.CompareExchange(ref _expected, lastSequence + 1, 0) != 0 && askedFrom > lastSequence + 1 && Interlocked.Read(ref _arrivalEpoch) == 0)
        {
            Interlocked.Exchange(ref _expected, lastSequence + 1);
            Interlocked.Exchange(ref _lastReceived, lastSequence);
        }

        _live.TrySetResult();
    }

    internal void OnRefused(Exception error)
    {
        // Refused at first: SubscribeAsync throws, and the caller never holds this subscription, so its
        // Completion ends without an error nobody could observe (a faulted task nobody awaits is reported
        // as an unobserved task exception; found by the engine fuzzer). If the caller cancelled before the
        // refusal arrived, nobody waits for Live either: it is marked observed here. Refused when
        // re-subscribing after a reconnect: the subscription ends, and Completion says why (never silently).
        if (_live.TrySetException(error))
        {
            _ = _live.Task.Exception;
            _completion.TrySetResult();
        }
        else
        {
            ClientLog.SubscriptionRefused(_logger, Topic, error.Message);
            _completion.TrySetException(error);

            // Logged above, and Completion still throws for whoever awaits it; marked observed because a
            // caller whose SubscribeAsync gave up (its token fired as the subscription went live) never
            // holds this subscription (an engine fuzz finding: an unobserved UnauthorizedAccessException).
            _ = _completion.Task.Exception;
        }

        _queue.Complete();
    }

    internal void OnEvent(long sequence, string contentType, byte[] data)
    {
        Interlocked.Exchange(ref _lastReceived, Math.Max(Interlocked.Read(ref _lastReceived), sequence));
        _metrics.EventQueueDepth.Add(1, s_client);
        if (!_queue.Enqueue(new Item(ItemKind.Event, sequence, 0, contentType, data), droppable: true, out _))
        {
            // The handler is slower than events arrive: the oldest waiting one goes; the jump in
            // sequence numbers becomes a gap notice when the handler reaches the next event.
            _metrics.EventQueueDepth.Add(-1, s_client);
            _metrics.EventsDropped.Add(1, s_client);
        }
    }

    /// <summary>The topic's numbering is <paramref name="epoch"/>'s from here on (protocol.md §10.5).</summary>
    internal void OnEpoch(long epoch)
    {
        var previous = Interlocked.Exchange(ref _arrivalEpoch, epoch);
        if (previous != 0 && previous != epoch)
        {
            // What arrived belongs to the old numbering: a resume asks for the new epoch from its start.
            Interlocked.Exchange(ref _lastReceived, 0);
            Volatile.Write(ref _restarted, 1);
        }

        _queue.Enqueue(new Item(ItemKind.Epoch, epoch, 0, null, null), droppable: false, out _);
    }

    internal void OnGap(long from, long to)
    {
        Interlocked.Exchange(ref _lastReceived, Math.Max(Interlocked.Read(ref _lastReceived), to));
        _queue.Enqueue(new Item(ItemKind.Gap, from, to, null, null), droppable: false, out _);
    }

    /// <summary>The server acknowledged the unsubscribe (or the connection is gone): finish after what is queued.</summary>
    internal void OnUnsubscribed()
    {
        _queue.Enqueue(new Item(ItemKind.Unsubscribed, 0, 0, null, null), droppable: false, out _);
        _queue.Complete();
    }

    internal void Close()
    {
        _queue.Complete();
        if (_live.TrySetException(new ObjectDisposedException(nameof(WsRestClient))))
        {
            // Nobody may wait for it any more (a SubscribeAsync cancelled before the acknowledgement, whose
            // unsubscribe waits for its connection's end): observed here, so it is not reported as lost.
            _ = _live.Task.Exception;
        }
    }

    private async Task RunAsync()
    {
        try
        {
            while (true)
            {
                var (ok, item) = await _queue.DequeueAsync(CancellationToken.None).ConfigureAwait(false);
                if (!ok || item.Kind == ItemKind.Unsubscribed)
                {
                    return;
                }

                if (item.Kind == ItemKind.Epoch)
                {
                    await OnEpochAsync(item.Sequence).ConfigureAwait(false);
                }
                else if (item.Kind == ItemKind.Event)
                {
                    _metrics.EventQueueDepth.Add(-1, s_client);
                    var expected = Interlocked.Read(ref _expected);
                    if (expected > 0 && item.Sequence < expected)
                    {
                        continue; // already handled (replayed after a reconnect)
                    }

                    if (expected > 0 && item.Sequence > expected)
                    {
                        await InvokeAsync(new WsRestEvent(Topic, expected, item.Sequence - 1, Interlocked.Read(ref _epoch))).ConfigureAwait(false);
                    }

                    await InvokeAsync(new WsRestEvent(Topic, item.Sequence, item.ContentType!, item.Data, Interlocked.Read(ref _epoch))).ConfigureAwait(false);
                    _metrics.EventsDelivered.Add(1, s_client);
                    Interlocked.Exchange(ref _expected, item.Sequence + 1);
                }
                else
                {
                    var expected = Interlocked.Read(ref _expected);
                    if (expected > 0 && item.Sequence2 < expected)
                    {
                        continue; // already reported by a jump in sequence numbers
                    }

                    // From the first sequence not handled: events this side dropped just before the notice are
                    // inside the range too, so nothing goes unreported.
                    await InvokeAsync(new WsRestEvent(Topic, expected > 0 ? expected : item.Sequence, item.Sequence2, Interlocked.Read(ref _epoch))).ConfigureAwait(false);
                    Interlocked.Exchange(ref _expected, item.Sequence2 + 1);
                }
            }
        }
        finally
        {
            _unsubscribed.TrySetResult();
            _completion.TrySetResult();
        }
    }

    /// <summary>
    /// An epoch notice reached the handler loop: the first one is adopted silently; a different one means
    /// the numbering restarted, so the handler is told (a reset) and the subscription expects the new
    /// epoch's events from 1 (the server replays them, or reports them as a gap).
    /// </summary>
    private async ValueTask OnEpochAsync(long epoch)
    {
        var previous = Interlocked.Exchange(ref _epoch, epoch);
        if (previous == 0 || previous == epoch)
        {
            return;
        }

        if (Interlocked.Read(ref _expected) > 0)
        {
            Interlocked.Exchange(ref _expected, 1);
        }

        await InvokeAsync(WsRestEvent.Reset(Topic, epoch)).ConfigureAwait(false);
    }

    private async ValueTask InvokeAsync(WsRestEvent item)
    {
        s_handling.Value = this;
        try
        {
            await _handler(item, _clientClosing).ConfigureAwait(false);
        }
        catch (Exception ex) when (!(ex is OperationCanceledException && _clientClosing.IsCancellationRequested))
        {
            // One failing event must not end the subscription; it is reported, and the next one handled.
            ClientLog.SubscriptionHandlerFailed(_logger, Topic, item.Sequence, ex);
        }
        finally
        {
            s_handling.Value = null;
        }
    }

    private static readonly KeyValuePair<string, object?> s_client = WsRestMetrics.Role(isServer: false);

    private enum ItemKind
    {
        Event,
        Gap,
        Epoch,
        Unsubscribed,
    }

    private readonly record struct Item(ItemKind Kind, long Sequence, long Sequence2, string? ContentType, byte[]? Data);
}
