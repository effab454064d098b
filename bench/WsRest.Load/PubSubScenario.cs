using System.Diagnostics;
using WsRest.Client;
using WsRest.Server;

namespace WsRest.Load;

/// <summary>One fan-out shape: <see cref="Subscriptions"/> subscriptions over <see cref="Topics"/> topics, spread over <see cref="Connections"/> clients.</summary>
internal sealed record PubSubScenario(string Name, int Topics, int Subscriptions, int Connections)
{
    /// <summary>Events to publish so that <paramref name="deliveries"/> deliveries are expected (each event reaches Subscriptions / Topics handlers).</summary>
    public int EventsFor(int deliveries) => deliveries / Math.Max(Subscriptions / Topics, 1);

    /// <summary>
    /// Connects the clients, subscribes (subscription i to topic i mod Topics, on client i mod
    /// Connections), publishes <paramref name="events"/> events round-robin over the topics as fast as
    /// one publisher loop can, and waits until every subscription has accounted for every event of its
    /// topic (handled, or inside a gap notice) or <paramref name="timeout"/> passes.
    /// </summary>
    public async Task<PubSubResult> RunAsync(IWsRestPublisher publisher, Uri endpoint, int events, int clientQueueCapacity, TimeSpan timeout, string prefix)
    {
        var clients = new List<WsRestClient>();
        var subscriptions = new List<WsRestSubscription>();
        var counters = new List<SubscriptionCounter>();
        var topics = Enumerable.Range(0, Topics).Select(t => $"{prefix}/t{t}").ToArray();
        var perTopic = Enumerable.Range(0, Topics).Select(t => (long)(events / Topics + (t < events % Topics ? 1 : 0))).ToArray();
        var allDone = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var remaining = Subscriptions;
        try
        {
            using var connectTimeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
            for (var c = 0; c < Connections; c++)
            {
                var client = new WsRestClient(new WsRestClientOptions { Endpoint = endpoint, SubscriptionQueueCapacity = clientQueueCapacity });
                clients.Add(client);
                await client.ConnectAsync(connectTimeout.Token).ConfigureAwait(false);
            }

            for (var i = 0; i < Subscriptions; i++)
            {
                var counter = new SubscriptionCounter(perTopic[i % Topics], () =>
                {
                    if (Interlocked.Decrement(ref remaining) == 0)
                    {
                        allDone.TrySetResult();
                    }
                });
                counters.Add(counter);
                subscriptions.Add(await clients[i % Connections].SubscribeAsync(topics[i % Topics], counter.HandleAsync, connectTimeout.Token).ConfigureAwait(false));
            }

            var drops = DropCounter.Start();
            GC.Collect();
            GC.WaitForPendingFinalizers();
            using var process = Process.GetCurrentProcess();
            var allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);
            var cpuBefore = process.TotalProcessorTime;
            var clock = Stopwatch.StartNew();
            for (var e = 0; e < events; e++)
            {
                await publisher.PublishAsync(topics[e % Topics], Payloads.SmallJson, "application/json").ConfigureAwait(false);
            }

            var published = clock.Elapsed;
            var complete = await Task.WhenAny(allDone.Task, Task.Delay(timeout)).ConfigureAwait(false) == allDone.Task;
            var elapsed = clock.Elapsed;
            process.Refresh();
            var cpu = process.TotalProcessorTime - cpuBefore;
            var allocated = GC.GetTotalAllocatedBytes(precise: true) - allocatedBefore;
            var (serverDrops, clientDrops) = drops.Stop();
            string? problem = null;
            if (!complete)
            {
                var stuck = counters.Select((c, i) => (c, i)).Where(x => x.c.Handled + x.c.GapCovered + x.c.Silent != x.c.Expected).ToArray();
                problem = $"{stuck.Length} of {Subscriptions} subscriptions incomplete; first: " + string.Join("; ", stuck.Take(3).Select(x =>
                    $"#{x.i} on {topics[x.i % Topics]}: {x.c.Handled + x.c.GapCovered + x.c.Silent:N0} of {x.c.Expected:N0} seen, last #{x.c.LastSeen}, LastSequence {subscriptions[x.i].LastSequence}, client {clients[x.i % Connections].State}"));
            }

            var holes = counters.Where(c => c.FirstHole is not null).ToArray();
            if (holes.Length > 0)
            {
                problem = (problem is null ? string.Empty : problem + ". ") + $"{counters.Sum(c => c.Silent):N0} sequences skipped with no event and no gap notice, in {holes.Length} of {Subscriptions} subscriptions; first: {holes[0].FirstHole}";
            }

            return new PubSubResult(
                this,
                events,
                Enumerable.Range(0, Subscriptions).Sum(i => perTopic[i % Topics]),
                counters.Sum(c => c.Handled),
                counters.Sum(c => c.GapCovered),
                counters.Sum(c => c.GapNotices),
                counters.Sum(c => c.Silent),
                serverDrops,
                clientDrops,
                published,
                elapsed,
                allocated,
                cpu,
                complete,
                problem);
        }
        finally
        {
            using var closing = new CancellationTokenSource(TimeSpan.FromSeconds(15));
            try
            {
                await Task.WhenAll(subscriptions.Select(s => s.DisposeAsync().AsTask())).WaitAsync(closing.Token).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is OperationCanceledException or TimeoutException)
            {
                Console.WriteLine($"!! {Name}: unsubscribing did not finish within 15 s");
            }

            foreach (var client in clients)
            {
                await client.DisposeAsync().ConfigureAwait(false);
            }
        }
    }

    /// <summary>
    /// A subscription's handler: counts handled events and gap-covered sequences until its topic's last
    /// event is accounted for, and checks the coverage is contiguous (a hole is a silent loss).
    /// </summary>
    private sealed class SubscriptionCounter(long expected, Action done)
    {
        private long _handled;
        private long _gapCovered;
        private long _gapNotices;
        private long _next;
        private long _silent;
        private string? _firstHole;

        public long Handled => Interlocked.Read(ref _handled);

        public long GapCovered => Interlocked.Read(ref _gapCovered);

        public long GapNotices => Interlocked.Read(ref _gapNotices);

        /// <summary>Sequences skipped with neither a delivery nor a gap notice.</summary>
        public long Silent => Interlocked.Read(ref _silent);

        public long Expected => expected;

        public long LastSeen => Interlocked.Read(ref _next) - 1;

        public string? FirstHole => Volatile.Read(ref _firstHole);

        public ValueTask HandleAsync(WsRestEvent e, CancellationToken cancellationToken)
        {
            // Handlers of one subscription run serially: the counters have a single writer.
            var first = e.Kind == WsRestEventKind.Event ? e.Sequence : e.GapFrom;
            var next = _next == 0 ? 1 : _next;
            if (first > next)
            {
                Interlocked.Add(ref _silent, first - next);
                _firstHole ??= $"after #{next - 1} came {e}";
            }

            Interlocked.Exchange(ref _next, e.Sequence + 1);
            long accounted;
            if (e.Kind == WsRestEventKind.Event)
            {
                accounted = Interlocked.Increment(ref _handled) + _gapCovered + _silent;
            }
            else
            {
                Interlocked.Increment(ref _gapNotices);
                accounted = Interlocked.Add(ref _gapCovered, e.GapTo - e.GapFrom + 1) + _handled + _silent;
            }

            if (accounted == expected)
            {
                done();
            }

            return ValueTask.CompletedTask;
        }
    }
}
