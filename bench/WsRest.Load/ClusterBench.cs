using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Runtime;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using WsRest.Client;
using WsRest.Redis.Tests.Infrastructure;
using WsRest.Server;

namespace WsRest.Load;

/// <summary>
/// <c>--cluster</c>: WsRest across nodes joined through Redis (docs/benchmarks.md, "Cluster"), beside one
/// node with the in-memory bus. A local <c>redis-server</c> (Debian's, on a free port) and three
/// in-process nodes: events published on A reach subscribers on B and C (deliveries/s, lossless
/// queues); reverse calls from A to a client held by C (latency at 1 in flight, calls/s at 16).
/// </summary>
internal static class ClusterBench
{
    private const int Subscribers = 10;
    private const int Publishers = 16;
    private const string Topic = "bench/cluster";

    public static async Task<int> RunAsync(LoadOptions options)
    {
        var total = Stopwatch.StartNew();
        Console.WriteLine($"# WsRest.Load --cluster — {Environment.ProcessorCount} cores, .NET {Environment.Version}, server GC: {GCSettings.IsServerGC}");
        Console.WriteLine(RunEnvironment.Describe());
        Console.WriteLine(RunEnvironment.LoadAverage("load average at start"));
        Console.WriteLine($"{options.ClusterEvents:N0} events of {Payloads.SmallJson.Length} bytes from {Publishers} publisher loops on node A, {Subscribers} subscriber connections; {options.ClusterCalls:N0} reverse calls (GET, {Payloads.SmallJson.Length}-byte answer) per measurement; all on this machine with one redis-server");
        Console.WriteLine();

        var ok = true;
        var rows = new List<string>();
        await using (var redis = await RedisServer.StartAsync().ConfigureAwait(false))
        {
            foreach (var clustered in new[] { false, true })
            {
                var nodes = new List<WebApplication>();
                var prefix = $"bench{Guid.NewGuid():N}";
                try
                {
                    foreach (var name in clustered ? new[] { "A", "B", "C" } : ["single"])
                    {
                        nodes.Add(await StartNodeAsync(name, clustered ? redis.ConnectionString : null, prefix, options.ClusterEvents).ConfigureAwait(false));
                    }

                    var label = clustered ? "3 nodes + Redis (published on A, subscribers on B and C, called from A into C)" : "1 node, in-memory bus (for comparison)";
                    var (rate, lossless) = await MeasureEventsAsync(nodes, options.ClusterEvents).ConfigureAwait(false);
                    ok &= lossless;
                    var (p50, p99, callRate) = await MeasureCallsAsync(nodes[0], nodes[^1], options.ClusterCalls).ConfigureAwait(false);
                    rows.Add(string.Create(CultureInfo.InvariantCulture, $"| {label} | {rate:N0}{(lossless ? string.Empty : " (LOSS)")} | {p50:0.00} | {p99:0.00} | {callRate:N0} |"));
                    Console.Error.WriteLine($"done: {label}");
                }
                finally
                {
                    foreach (var node in nodes)
                    {
                        await node.StopAsync().ConfigureAwait(false);
                        await node.DisposeAsync().ConfigureAwait(false);
                    }
                }
            }
        }

        Console.WriteLine("| Setup | event deliveries/s | reverse call p50 ms (1 in flight) | p99 ms | reverse calls/s (16 in flight) |");
        Console.WriteLine("|---|---|---|---|---|");
        rows.ForEach(Console.WriteLine);
        Console.WriteLine();
        Console.WriteLine(ok ? "Every event reached every subscriber, in order." : "EVENTS WERE LOST (see the rows marked LOSS).");
        Console.WriteLine($"total run time {total.Elapsed.TotalSeconds:0} s; {RunEnvironment.LoadAverage("load average at end")}");
        return ok ? 0 : 1;
    }

    private static async Task<WebApplication> StartNodeAsync(string name, string? redis, string prefix, int queue)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.Logging.AddSimpleConsole(o => o.SingleLine = true).SetMinimumLevel(LogLevel.Warning);
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Services.AddWsRest(o => o.PubSub.ConnectionQueueCapacity = queue);
        if (redis is not null)
        {
            builder.Services.AddRedis(redis, o =>
            {
                o.NodeId = name;
                o.KeyPrefix = prefix;
            });
        }

        var app = builder.Build();
        app.MapWsRest("/wsrest");
        await app.StartAsync().ConfigureAwait(false);
        return app;
    }

    private static Uri EndpointOf(WebApplication node)
        => new($"ws://{new Uri(node.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First()).Authority}/wsrest");

    private static async Task<(double Rate, bool Lossless)> MeasureEventsAsync(List<WebApplication> nodes, int events)
    {
        var clients = new List<WsRestClient>();
        var subscriptions = new List<WsRestSubscription>();
        var done = new CountdownEvent(Subscribers);
        var lossless = true;
        try
        {
            for (var i = 0; i < Subscribers; i++)
            {
                // Subscribers on every node but the publisher's (all on the one node when there is one).
                var node = nodes.Count == 1 ? nodes[0] : nodes[1 + (i % (nodes.Count - 1))];
                var client = new WsRestClient(new WsRestClientOptions { Endpoint = EndpointOf(node), SubscriptionQueueCapacity = events });
                clients.Add(client);
                await client.ConnectAsync().ConfigureAwait(false);
                long expected = 1;
                subscriptions.Add(await client.SubscribeAsync(Topic, (e, _) =>
                {
                    if (e.Kind == WsRestEventKind.Gap || e.Sequence != expected)
                    {
                        lossless = false;
                    }

                    expected = e.Sequence + 1;
                    if (e.Sequence == events)
                    {
                        done.Signal();
                    }

                    return ValueTask.CompletedTask;
                }).ConfigureAwait(false));
            }

            var publisher = nodes[0].Services.GetRequiredService<IWsRestPublisher>();
            var next = 0;
            var clock = Stopwatch.StartNew();
            await Task.WhenAll(Enumerable.Range(0, Publishers).Select(_ => Task.Run(async () =>
            {
                while (Interlocked.Increment(ref next) <= events)
                {
                    await publisher.PublishAsync(Topic, Payloads.SmallJson, "application/json").ConfigureAwait(false);
                }
            }))).ConfigureAwait(false);
            var finished = await Task.Run(() => done.Wait(TimeSpan.FromSeconds(120))).ConfigureAwait(false);
            var elapsed = clock.Elapsed;
            return ((double)events * Subscribers / elapsed.TotalSeconds, lossless && finished);
        }
        finally
        {
            foreach (var subscription in subscriptions)
            {
                await subscription.DisposeAsync().ConfigureAwait(false);
            }

            foreach (var client in clients)
            {
                await client.DisposeAsync().ConfigureAwait(false);
            }

            done.Dispose();
        }
    }

    private static async Task<(double P50, double P99, double Rate)> MeasureCallsAsync(WebApplication caller, WebApplication owner, int calls)
    {
        var options = new WsRestClientOptions { Endpoint = EndpointOf(owner) };
        options.HandleRequests((_, _) => Task.FromResult(new HttpResponseMessage(HttpStatusCode.OK) { Content = new ByteArrayContent(Payloads.SmallJson) }));
        await using var client = new WsRestClient(options);
        await client.ConnectAsync().ConfigureAwait(false);
        var cluster = caller.Services.GetRequiredService<IWsRestClusterRegistry>();
        var deadline = Stopwatch.StartNew();
        while (await cluster.FindAsync(client.ConnectionId!).ConfigureAwait(false) is null)
        {
            // The owner writes the connection to Redis right after its handshake.
            if (deadline.Elapsed > TimeSpan.FromSeconds(30))
            {
                throw new InvalidOperationException($"The caller's node never found connection {client.ConnectionId} in the cluster registry.");
            }

            await Task.Delay(10).ConfigureAwait(false);
        }

        using var http = caller.Services.GetRequiredService<WsRestConnectionRegistry>().CreateHttpClient(client.ConnectionId!);
        for (var i = 0; i < Math.Min(200, calls); i++)
        {
            await CallAsync(http).ConfigureAwait(false); // warm-up
        }

        var latencies = new double[calls];
        for (var i = 0; i < calls; i++)
        {
            var start = Stopwatch.GetTimestamp();
            await CallAsync(http).ConfigureAwait(false);
            latencies[i] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
        }

        Array.Sort(latencies);
        var next = 0;
        var clock = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, 16).Select(_ => Task.Run(async () =>
        {
            while (Interlocked.Increment(ref next) <= calls)
            {
                await CallAsync(http).ConfigureAwait(false);
            }
        }))).ConfigureAwait(false);
        var rate = calls / clock.Elapsed.TotalSeconds;
        return (latencies[calls / 2], latencies[Math.Min(calls - 1, (int)(calls * 0.99))], rate);
    }

    private static async Task CallAsync(HttpClient http)
    {
        using var response = await http.GetAsync("small").ConfigureAwait(false);
        response.EnsureSuccessStatusCode();
        await response.Content.ReadAsByteArrayAsync().ConfigureAwait(false);
    }
}
