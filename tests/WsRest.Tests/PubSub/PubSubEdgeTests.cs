using System.Collections.Concurrent;
using Microsoft.Extensions.DependencyInjection;
using WsRest.Client;
using WsRest.Server;
using WsRest.Tests.Infrastructure;

namespace WsRest.Tests.PubSub;

/// <summary>Edge cases found by the fan-out benchmark and its review: none may lose an event silently.</summary>
public class PubSubEdgeTests
{
    private static readonly TimeSpan Generous = TimeSpan.FromSeconds(30);

    [Test]
    public async Task DropsOnBothSidesStillAccountForEverySequence()
    {
        await using var host = await TestHost.StartAsync(_ => { }, o => o.PubSub.ConnectionQueueCapacity = 3);
        var client = await host.ConnectAsync(o => o.SubscriptionQueueCapacity = 3);
        var publisher = host.App.Services.GetRequiredService<IWsRestPublisher>();
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var items = new ConcurrentQueue<WsRestEvent>();
        var last = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var subscription = await client.SubscribeAsync("burst", async (e, token) =>
        {
            await gate.Task.WaitAsync(token);
            items.Enqueue(e);
            if (e.Sequence == 500)
            {
                last.TrySetResult();
            }
        });

        for (var i = 0; i < 500; i++)
        {
            await publisher.PublishAsync("burst", new byte[] { 1 });
        }

        gate.SetResult();
        await last.Task.WaitAsync(Generous);

        var covered = items.SelectMany(e => e.Kind == WsRestEventKind.Gap ? Range(e.GapFrom, e.GapTo) : [e.Sequence]);
        Assert.That(covered, Is.EqualTo(Range(1, 500)), "every sequence handled or inside a gap notice, in order, none twice");
    }

    [Test]
    public async Task AResumedSubscriptionFollowsARestartedServersNewNumbering()
    {
        var first = await TestHost.StartAsync(_ => { });
        await using var proxy = FaultProxy.Start(first.WsRestEndpoint);
        var options = new WsRestClientOptions { Endpoint = proxy.WsUri("/wsrest") };
        options.Reconnect.InitialDelay = TimeSpan.FromMilliseconds(50);
        options.Reconnect.MaxDelay = TimeSpan.FromMilliseconds(200);
        await using var client = new WsRestClient(options);
        var seen = new ConcurrentQueue<long>();
        var got = new SemaphoreSlim(0);
        var resets = 0;
        await using var subscription = await client.SubscribeAsync("pets/created", (e, _) =>
        {
            if (e.Kind == WsRestEventKind.Reset)
            {
                // The new server announces its new epoch (docs/pubsub.md, "Epochs"); the events are counted below.
                Interlocked.Increment(ref resets);
                return ValueTask.CompletedTask;
            }

            seen.Enqueue(e.Sequence);
            got.Release();
            return ValueTask.CompletedTask;
        });
        var publisher = first.App.Services.GetRequiredService<IWsRestPublisher>();
        for (var i = 0; i < 5; i++)
        {
            await publisher.PublishAsync("pets/created", new byte[] { 1 });
            await got.WaitAsync(Generous);
        }

        await using var events = client.WatchAsync().GetAsyncEnumerator();
        await first.DisposeAsync();
        await using var second = await TestHost.StartAsync(_ => { });
        proxy.Target = FaultProxy.ToEndPoint(second.WsRestEndpoint);
        do
        {
            Assert.That(await events.MoveNextAsync().AsTask().WaitAsync(Generous), Is.True);
        }
        while (events.Current.Kind != WsRestClientEventKind.Reconnected);

        // The new server's in-memory bus numbers the topic from 1 again. The re-subscription is live once
        // an event gets through (publishing before it is registered reaches nobody, by design).
        var again = second.App.Services.GetRequiredService<IWsRestPublisher>();
        var probes = 0;
        do
        {
            await again.PublishAsync("pets/created", new byte[] { 2 });
            probes++;
        }
        while (!await got.WaitAsync(TimeSpan.FromMilliseconds(200)) && probes < 100);

        var probe = seen.Last();
        Assert.That(probe, Is.LessThanOrEqualTo(probes), "the new numbering is followed, not skipped as 'already handled'");
        for (var i = 0; i < 3; i++)
        {
            await again.PublishAsync("pets/created", new byte[] { 3 });
            Assert.That(await got.WaitAsync(Generous), Is.True, $"new event {i + 1} was handled");
        }

        Assert.That(seen.TakeLast(3), Is.EqualTo(new[] { probe + 1, probe + 2, probe + 3 }));
        Assert.That(Volatile.Read(ref resets), Is.EqualTo(1), "the restart is announced once");

        // Unsubscribing while no connection is up completes at once (nothing can arrive meanwhile).
        proxy.RejectNew();
        proxy.ResetAll();
        await subscription.DisposeAsync().AsTask().WaitAsync(Generous);
    }

    [Test]
    public async Task ARefusedResubscribeEndsTheSubscriptionVisibly()
    {
        await using var host = await TestHost.StartAsync(_ => { }, o => o.PubSub.AuthorizeSubscribe = (connection, _) => connection.PreviousConnectionId is null);
        await using var proxy = FaultProxy.Start(host.WsRestEndpoint);
        var options = new WsRestClientOptions { Endpoint = proxy.WsUri("/wsrest") };
        options.Reconnect.InitialDelay = TimeSpan.FromMilliseconds(50);
        await using var client = new WsRestClient(options);
        await using var subscription = await client.SubscribeAsync("pets/created", (_, _) => ValueTask.CompletedTask);

        proxy.ResetAll();

        var error = Assert.CatchAsync<UnauthorizedAccessException>(() => subscription.Completion.WaitAsync(Generous));
        Assert.That(error!.Message, Does.Contain("pets/created"));
    }

    [Test]
    public async Task AnEventTooLargeForTheClientBecomesAGapNoticeNotAReconnectLoop()
    {
        await using var host = await TestHost.StartAsync(_ => { }, o => o.MaxMessageSize = 4 << 20);
        var client = await host.ConnectAsync(o => o.MaxMessageSize = 64 * 1024);
        var publisher = host.App.Services.GetRequiredService<IWsRestPublisher>();
        var items = new ConcurrentQueue<WsRestEvent>();
        var second = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var subscription = await client.SubscribeAsync("files", (e, _) =>
        {
            items.Enqueue(e);
            if (e.Kind == WsRestEventKind.Event && e.Sequence == 2)
            {
                second.TrySetResult();
            }

            return ValueTask.CompletedTask;
        });
        await using var events = client.WatchAsync().GetAsyncEnumerator();

        await publisher.PublishAsync("files", new byte[1 << 20]);
        await publisher.PublishAsync("files", new byte[] { 1 });
        await second.Task.WaitAsync(Generous);

        Assert.That(items.Select(e => (e.Kind, e.Sequence)), Is.EqualTo(new[] { (WsRestEventKind.Gap, 1L), (WsRestEventKind.Event, 2L) }));
        Assert.That(client.State, Is.EqualTo(WsRestConnectionState.Connected));
        var tooBig = Assert.CatchAsync<ArgumentException>(() => client.PublishAsync("files", new byte[4 << 20]));
        Assert.That(tooBig!.Message, Does.Contain("larger than the server accepts"));
    }

    private static IEnumerable<long> Range(long from, long to)
    {
        for (var i = from; i <= to; i++)
        {
            yield return i;
        }
    }
}
