using System.Diagnostics;
using WsRest.Client;
using WsRest.Tests.Infrastructure;

namespace WsRest.Soak;

/// <summary>One soak run: set up, run for the duration, drain, account.</summary>
internal static class SoakRun
{
    private const string SteadyTopic = "soak/steady";
    private const string ChurnTopic = "soak/churn";

    public static async Task<SoakResult> RunAsync(SoakOptions options, TextWriter log)
    {
        var clock = Stopwatch.StartNew();
        var seeds = new Random(options.Seed);
        var server = await SoakServer.StartAsync().ConfigureAwait(false);
        var proxy = FaultProxy.Start(server.EndPoint);
        var publisher = new EventPublisher(server.Bus, [SteadyTopic, ChurnTopic], options.EventsPerSecond);
        var tally = new RequestTally();
        var clients = new List<WsRestClient>();
        var httpClients = new List<HttpClient>();
        var connectionEvents = new ConnectionEventCounts();
        var problems = new List<string>();
        var subscribers = new List<Subscriber>();
        var steady = new List<(Subscriber Subscriber, WsRestSubscription Subscription, SubscriptionAudit Audit, long First)>();
        FaultInjector faults;
        using var stop = new CancellationTokenSource();
        using var stopPublishing = new CancellationTokenSource();
        try
        {
            for (var i = 0; i < options.Connections; i++)
            {
                var client = new WsRestClient(ClientOptions(proxy.WsUri("wsrest")));
                client.ConnectionEvent += (_, e) => connectionEvents.Add(e.Kind);
                clients.Add(client);
                await client.ConnectAsync().ConfigureAwait(false);
                var subscriber = new Subscriber(client, publisher, new Random(seeds.Next()), options.DrainTimeout);
                client.ConnectionEvent += (_, e) =>
                {
                    if (e.Kind == WsRestClientEventKind.Disconnected)
                    {
                        subscriber.OnDisconnected();
                    }
                };
                subscribers.Add(subscriber);
                if (await subscriber.SubscribeAsync(SteadyTopic, CancellationToken.None).ConfigureAwait(false) is var (subscription, audit, first))
                {
                    steady.Add((subscriber, subscription, audit, first));
                }
            }

            log.WriteLine($"{options.Connections} connections up through the fault proxy; running {options.Duration.TotalSeconds:0.#} s");
            var publishing = publisher.RunAsync(stopPublishing.Token);
            var work = new List<Task>();
            for (var i = 0; i < clients.Count; i++)
            {
                var http = new HttpClient(new WebSocketMessageHandler(clients[i]), disposeHandler: true)
                {
                    BaseAddress = new Uri("http://soak/"),
                    // Requests are bounded by the client's own failure detection; a request still running at the
                    // end of the drain is what this command calls hung.
                    Timeout = Timeout.InfiniteTimeSpan,
                };
                httpClients.Add(http);
                for (var j = 0; j < options.RequestsInFlight; j++)
                {
                    var worker = new RequestWorker(http, tally, new Random(seeds.Next()), $"c{i}w{j}");
                    work.Add(Task.Run(() => worker.RunAsync(stop.Token)));
                }

                var subscriber = subscribers[i];
                work.Add(Task.Run(() => subscriber.ChurnAsync(ChurnTopic, stop.Token)));
            }

            faults = new FaultInjector(proxy, server, new Random(seeds.Next()), options.Restarts, () => clock.Elapsed);
            var injecting = Task.Run(() => faults.RunAsync(stop.Token));
            var progress = Task.Run(() => ReportProgressAsync(log, clock, tally, faults, stop.Token));
            await Task.Delay(options.Duration).ConfigureAwait(false);
            await stop.CancelAsync().ConfigureAwait(false);
            await injecting.ConfigureAwait(false);
            await progress.ConfigureAwait(false);
            log.WriteLine($"[{clock.Elapsed.TotalSeconds:0}s] faults stopped and healed; draining (at most {options.DrainTimeout.TotalSeconds:0} s)");

            var drained = Task.WhenAll(work);
            if (await Task.WhenAny(drained, Task.Delay(options.DrainTimeout)).ConfigureAwait(false) != drained)
            {
                problems.Add("the request loops did not finish within the drain timeout (hung requests below)");
            }
            else
            {
                await drained.ConfigureAwait(false);
            }

            // The steady subscriptions: stop publishing, wait until each caught up, then unsubscribe and account.
            await stopPublishing.CancelAsync().ConfigureAwait(false);
            await publishing.ConfigureAwait(false);
            var final = publisher.LastPublished(SteadyTopic);
            var deadline = Stopwatch.StartNew();
            foreach (var (subscriber, subscription, audit, first) in steady)
            {
                while (audit.LastSequence < final && deadline.Elapsed < options.DrainTimeout)
                {
                    await Task.Delay(50).ConfigureAwait(false);
                }

                await subscriber.UnsubscribeAndAccountAsync(subscription, audit, first, final).ConfigureAwait(false);
            }

            // As start times on the run's clock, so the report can put them beside the fault timeline.
            var hung = tally.StillRunning().Select(h => (h.Kind, clock.Elapsed - h.Age)).ToList();
            return new SoakResult(options, clock.Elapsed, tally, hung, server.Ledger, publisher.Total, subscribers, faults, server.Restarts, connectionEvents, proxy, problems);
        }
        finally
        {
            await stop.CancelAsync().ConfigureAwait(false);
            httpClients.ForEach(static http => http.Dispose());
            foreach (var client in clients)
            {
                await client.DisposeAsync().ConfigureAwait(false);
            }

            try
            {
                await proxy.DisposeAsync().ConfigureAwait(false);
            }
            catch (AggregateException exception)
            {
                problems.Add($"the fault proxy failed: {exception}");
            }

            await server.DisposeAsync().ConfigureAwait(false);
        }
    }

    private static WsRestClientOptions ClientOptions(Uri endpoint)
    {
        var options = new WsRestClientOptions
        {
            Endpoint = endpoint,
            KeepAliveInterval = SoakServer.KeepAliveInterval,
            KeepAliveTimeout = SoakServer.KeepAliveTimeout,
            ConnectTimeout = TimeSpan.FromSeconds(3),
            HandshakeTimeout = TimeSpan.FromSeconds(3),
            SendTimeout = TimeSpan.FromSeconds(5),
        };
        options.Reconnect.InitialDelay = TimeSpan.FromMilliseconds(100);
        options.Reconnect.MaxDelay = TimeSpan.FromSeconds(1);
        return options;
    }

    private static async Task ReportProgressAsync(TextWriter log, Stopwatch clock, RequestTally tally, FaultInjector faults, CancellationToken stop)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(30));
        try
        {
            while (await timer.WaitForNextTickAsync(stop).ConfigureAwait(false))
            {
                log.WriteLine($"[{clock.Elapsed.TotalSeconds:0}s] {tally.Issued:N0} requests, {tally.Count(RequestOutcome.Response):N0} answered, {tally.Count(RequestOutcome.TypedFailure):N0} typed failures, {faults.Total} faults");
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            // Done.
        }
    }
}

/// <summary>Connection events of every client, by kind.</summary>
internal sealed class ConnectionEventCounts
{
    private readonly long[] _counts = new long[Enum.GetValues<WsRestClientEventKind>().Length];

    public void Add(WsRestClientEventKind kind) => Interlocked.Increment(ref _counts[(int)kind]);

    public long this[WsRestClientEventKind kind] => Interlocked.Read(ref _counts[(int)kind]);
}
