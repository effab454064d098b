using System.Diagnostics;
using System.Globalization;
using System.Runtime;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using WsRest.Server;

namespace WsRest.Load;

/// <summary>
/// <c>--pubsub</c>: event fan-out from the server (docs/benchmarks.md, "Pub/sub fan-out"). One process,
/// WsRest clients on loopback, one publisher loop (<see cref="IWsRestPublisher"/> from the app's
/// services) publishing as fast as it can. Two passes: the default queues (1000 events per server
/// connection and per client subscription, drop-oldest), then queues large enough for the whole burst.
/// </summary>
internal static class PubSubBench
{
    private const int DefaultQueue = 1000;

    private static readonly PubSubScenario[] s_scenarios =
    [
        new("1 topic, 1 subscriber, 1 conn", 1, 1, 1),
        new("1 topic, 10 subscribers, 1 conn", 1, 10, 1),
        new("1 topic, 100 subscribers, 1 conn", 1, 100, 1),
        new("1 topic, 10 subscribers, 10 conns", 1, 10, 10),
        new("1 topic, 100 subscribers, 10 conns", 1, 100, 10),
        new("100 topics, 1 subscriber each, 10 conns", 100, 100, 10),
    ];

    public static async Task<int> RunAsync(LoadOptions options)
    {
        var total = Stopwatch.StartNew();
        Console.WriteLine($"# WsRest.Load --pubsub — {Environment.ProcessorCount} cores, .NET {Environment.Version}, server GC: {GCSettings.IsServerGC}, DATAS: {AppContext.GetData("System.GC.DynamicAdaptationMode") ?? "default"}");
        Console.WriteLine($"{Payloads.SmallJson.Length}-byte events published by one loop as fast as it can; per scenario, events = expected deliveries / subscribers per topic; timeout {options.PubSubTimeout.TotalSeconds:0} s per scenario");
        Console.WriteLine(RunEnvironment.Describe());
        Console.WriteLine(RunEnvironment.LoadAverage("load average at start"));
        Console.WriteLine();

        // The lossless pass sizes the queues so the whole burst fits: every event for every subscription
        // of a connection may wait at once.
        var lossless = options.LosslessDeliveries;
        var large = s_scenarios.Max(s => s.EventsFor(lossless) * ((s.Subscriptions + s.Connections - 1) / s.Connections));
        var largeClient = s_scenarios.Max(s => s.EventsFor(lossless));
        var passes = new (string Title, int Deliveries, int ServerQueue, int ClientQueue)[]
        {
            ($"Default queues ({DefaultQueue:N0} events per server connection and per client subscription), {options.Deliveries:N0} deliveries expected", options.Deliveries, DefaultQueue, DefaultQueue),
            ($"Queues large enough for the whole burst ({large:N0} per connection, {largeClient:N0} per subscription), {lossless:N0} deliveries expected", lossless, large, largeClient),
        };

        var complete = true;
        foreach (var (title, deliveries, serverQueue, clientQueue) in passes)
        {
            var results = new List<PubSubResult>();
            await using (var server = await BenchServer.StartAsync(o => o.PubSub.ConnectionQueueCapacity = serverQueue).ConfigureAwait(false))
            {
                var publisher = server.Services.GetRequiredService<IWsRestPublisher>();
                var endpoint = new Uri($"ws://127.0.0.1:{server.Http1Port}/wsrest");

                // Warm-up (not reported): JIT and pools for every code path of the runs below.
                await new PubSubScenario("warm-up", 2, 20, 2).RunAsync(publisher, endpoint, 5000, clientQueue, options.PubSubTimeout, "warmup").ConfigureAwait(false);
                for (var i = 0; i < s_scenarios.Length; i++)
                {
                    var result = await s_scenarios[i].RunAsync(publisher, endpoint, s_scenarios[i].EventsFor(deliveries), clientQueue, options.PubSubTimeout, $"s{i}").ConfigureAwait(false);
                    results.Add(result);
                    Console.Error.WriteLine($"done: {result.Scenario.Name} ({result.Elapsed.TotalSeconds:0.0} s)");
                }
            }

            // A silent loss breaks the pub/sub guarantee (docs/pubsub.md): the run fails, like a hang.
            complete &= results.All(r => r.Complete && r.Silent == 0);
            Console.WriteLine($"### {title}");
            Console.WriteLine();
            Console.WriteLine(Table(results));
        }

        Console.WriteLine($"total run time {total.Elapsed.TotalSeconds:0} s; {RunEnvironment.LoadAverage("load average at end")}");
        return complete ? 0 : 1;
    }

    private static string Table(IReadOnlyList<PubSubResult> results)
    {
        var text = new StringBuilder();
        text.AppendLine("| scenario | events | deliveries expected | handled | drops (gap-covered) | gap notices | silently lost | server / client drops | publish/s | deliveries/s | alloc B/delivery | CPU µs/delivery | last event seen |");
        text.AppendLine("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|");
        foreach (var r in results)
        {
            var complete = r.Complete ? $"in {r.Elapsed.TotalSeconds:0.00} s" : $"NO: {r.Handled + r.GapCovered + r.Silent:N0} seen after {r.Elapsed.TotalSeconds:0} s";
            text.AppendLine(CultureInfo.InvariantCulture,
                $"| {r.Scenario.Name} | {r.Published:N0} | {r.Expected:N0} | {r.Handled:N0} | {r.GapCovered:N0} | {r.GapNotices:N0} | {r.Silent:N0} | {r.ServerDrops:N0} / {r.ClientDrops:N0} | {r.PublishesPerSecond:N0} | {r.DeliveriesPerSecond:N0} | {r.AllocatedBytesPerDelivery:N0} | {r.CpuMicrosecondsPerDelivery:0.00} | {complete} |");
        }

        foreach (var r in results.Where(r => r.Problem is not null))
        {
            text.AppendLine();
            text.AppendLine(CultureInfo.InvariantCulture, $"- **{r.Scenario.Name}**: {r.Problem}");
        }

        return text.ToString();
    }
}
