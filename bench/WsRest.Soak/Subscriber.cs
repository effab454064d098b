using WsRest.Client;

namespace WsRest.Soak;

/// <summary>
/// One connection's subscriptions: a steady one for the whole run and a churn loop that subscribes and
/// unsubscribes; each subscription is accounted when its unsubscribe completed.
/// </summary>
internal sealed class Subscriber(WsRestClient client, EventPublisher publisher, Random random, TimeSpan drainTimeout)
{
    private long _disconnects;
    private readonly Lock _gate = new();
    private readonly List<string> _violations = [];
    private EventCounts _counts;
    private long _subscribeFailures;
    private long _hungUnsubscribes;

    public EventCounts Counts
    {
        get
        {
            lock (_gate)
            {
                return _counts;
            }
        }
    }

    /// <summary>Counts the client's lost connections (wired to its <c>ConnectionEvent</c>).</summary>
    public void OnDisconnected() => Interlocked.Increment(ref _disconnects);

    public long SubscribeFailures => Interlocked.Read(ref _subscribeFailures);

    public long HungUnsubscribes => Interlocked.Read(ref _hungUnsubscribes);

    public IReadOnlyList<string> Violations
    {
        get
        {
            lock (_gate)
            {
                return [.. _violations];
            }
        }
    }

    /// <summary>Subscribes to <paramref name="topic"/>, retrying typed failures; returns the subscription and the first sequence it must account for.</summary>
    public async Task<(WsRestSubscription Subscription, SubscriptionAudit Audit, long First)?> SubscribeAsync(string topic, CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            var audit = new SubscriptionAudit(topic);
            try
            {
                using var timeout = CancellationTokenSource.CreateLinkedTokenSource(stop);
                timeout.CancelAfter(TimeSpan.FromSeconds(30));
                var subscription = await client.SubscribeAsync(topic, audit.OnEventAsync, timeout.Token).ConfigureAwait(false);
                // Live from here: the publisher may have one event in flight, numbered before or after this point.
                return (subscription, audit, publisher.LastPublished(topic) + 2);
            }
            catch (Exception exception) when (exception is HttpRequestException or UnauthorizedAccessException or OperationCanceledException)
            {
                // A subscribe during a fault fails like a request (or is refused while too much is pending).
                Interlocked.Increment(ref _subscribeFailures);
                await Task.Delay(random.Next(50, 300), CancellationToken.None).ConfigureAwait(false);
            }
        }

        return null;
    }

    /// <summary>Unsubscribes (bounded by the drain timeout) and accounts for the events in [<paramref name="first"/>, <paramref name="last"/>].</summary>
    public async Task UnsubscribeAndAccountAsync(WsRestSubscription subscription, SubscriptionAudit audit, long first, long last)
    {
        // Whether a connection was lost around the unsubscribe: then it may complete without the server.
        var connectedBefore = client.State == WsRestConnectionState.Connected;
        var disconnectsBefore = Interlocked.Read(ref _disconnects);
        var dispose = subscription.DisposeAsync().AsTask();
        if (await Task.WhenAny(dispose, Task.Delay(drainTimeout)).ConfigureAwait(false) != dispose)
        {
            Interlocked.Increment(ref _hungUnsubscribes);
            Add(default, [$"{audit.Topic}: the unsubscribe did not complete within {drainTimeout.TotalSeconds:0} s"]);
            return;
        }

        await dispose.ConfigureAwait(false);
        var unacknowledged = !connectedBefore || Interlocked.Read(ref _disconnects) != disconnectsBefore;
        var counts = audit.Account(first, last, unacknowledged);
        Add(counts, audit.Violations);
    }

    /// <summary>Subscribes and unsubscribes <paramref name="topic"/> until <paramref name="stop"/>.</summary>
    public async Task ChurnAsync(string topic, CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            if (await SubscribeAsync(topic, stop).ConfigureAwait(false) is not var (subscription, audit, first))
            {
                return;
            }

            try
            {
                await Task.Delay(random.Next(200, 2000), stop).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                // Unsubscribe now, and stop.
            }

            await UnsubscribeAndAccountAsync(subscription, audit, first, publisher.LastPublished(topic)).ConfigureAwait(false);
        }
    }

    private void Add(EventCounts counts, IReadOnlyList<string> violations)
    {
        lock (_gate)
        {
            _counts += counts;
            _violations.AddRange(violations.Take(5));
        }
    }
}
