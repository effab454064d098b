using System.Text;
using WsRest.Redis.Tests.Infrastructure;
using WsRest.Tests.Infrastructure;

namespace WsRest.Redis.Tests.PubSub;

[Parallelizable(ParallelScope.None)]
public sealed class CrossNodePubSubTests
{
    [Test]
    public async Task AnEventPublishedOnAReachesSubscribersOnBAndCInOrder()
    {
        await using var cluster = await Cluster.StartAsync();
        var onB = new EventRecorder();
        var onC = new EventRecorder();
        await using var subB = await (await cluster.B.ConnectAsync()).SubscribeAsync("orders/created", onB.Handle);
        await using var subC = await (await cluster.C.ConnectAsync()).SubscribeAsync("orders/created", onC.Handle);

        for (var i = 1; i <= 50; i++)
        {
            Assert.That(await cluster.A.Publisher.PublishAsync("orders/created", Encoding.UTF8.GetBytes($"order {i}"), "text/plain"), Is.EqualTo(i));
        }

        await onB.WaitForAsync(50);
        await onC.WaitForAsync(50);
        var expected = Enumerable.Range(1, 50).Select(i => ((long)i, $"order {i}")).ToArray();
        Assert.Multiple(() =>
        {
            Assert.That(onB.Events, Is.EqualTo(expected));
            Assert.That(onC.Events, Is.EqualTo(expected));
            Assert.That(onB.Gaps, Is.Empty);
            Assert.That(onC.Gaps, Is.Empty);
        });
    }

    [Test]
    public async Task ASubscriberMovedFromAToBAfterAIsStoppedResumesFromTheStreamWithNoSilentLoss()
    {
        await using var cluster = await Cluster.StartAsync();
        await using var balancer = FaultProxy.Start(cluster.A.WsRestEndpoint);
        var client = await cluster.C.ConnectAsync(
            o =>
            {
                o.Reconnect.InitialDelay = TimeSpan.FromMilliseconds(50);
                o.Reconnect.MaxDelay = TimeSpan.FromMilliseconds(200);
            },
            balancer.WsUri("wsrest"));
        var recorder = new EventRecorder();
        await using var subscription = await client.SubscribeAsync("pets/changed", recorder.Handle);
        for (var i = 1; i <= 10; i++)
        {
            await cluster.C.Publisher.PublishAsync("pets/changed", Encoding.UTF8.GetBytes($"change {i}"));
        }

        await recorder.WaitForAsync(10);
        Assert.That(cluster.A.Registry.Count, Is.EqualTo(1), "the client is on A");

        // A goes away; until the load balancer lets the client in again (to B), events keep being
        // published, so the client can only get them by resuming from the stream on B.
        balancer.RejectNew();
        balancer.Target = FaultProxy.ToEndPoint(cluster.B.WsRestEndpoint);
        await cluster.A.StopAsync();
        for (var i = 11; i <= 30; i++)
        {
            await cluster.C.Publisher.PublishAsync("pets/changed", Encoding.UTF8.GetBytes($"change {i}"));
        }

        balancer.RejectNew(false);
        await recorder.WaitForAsync(30);

        Assert.Multiple(() =>
        {
            Assert.That(recorder.Events, Is.EqualTo(Enumerable.Range(1, 30).Select(i => ((long)i, $"change {i}"))), "every event once, in order, across the move");
            Assert.That(recorder.Gaps, Is.Empty);
            Assert.That(cluster.B.Registry.Count, Is.EqualTo(1), "the client is on B now");
        });
    }

    [Test]
    public async Task ASubscriberResumingBeyondTheStreamGetsAGapNoticeForWhatWasTrimmed()
    {
        await using var cluster = await Cluster.StartAsync(o => o.ReplayLength = 5);
        await using var balancer = FaultProxy.Start(cluster.A.WsRestEndpoint);
        var client = await cluster.C.ConnectAsync(
            o =>
            {
                o.Reconnect.InitialDelay = TimeSpan.FromMilliseconds(50);
                o.Reconnect.MaxDelay = TimeSpan.FromMilliseconds(200);
            },
            balancer.WsUri("wsrest"));
        var recorder = new EventRecorder();
        await using var subscription = await client.SubscribeAsync("pets/changed", recorder.Handle);
        for (var i = 1; i <= 3; i++)
        {
            await cluster.C.Publisher.PublishAsync("pets/changed", Encoding.UTF8.GetBytes($"change {i}"));
        }

        await recorder.WaitForAsync(3);
        balancer.RejectNew();
        balancer.Target = FaultProxy.ToEndPoint(cluster.B.WsRestEndpoint);
        await cluster.A.StopAsync();

        // Published while the client has no connection: only the last 5 stay in the stream.
        for (var i = 4; i <= 20; i++)
        {
            await cluster.C.Publisher.PublishAsync("pets/changed", Encoding.UTF8.GetBytes($"change {i}"));
        }

        balancer.RejectNew(false);
        await recorder.WaitForAsync(20);

        Assert.Multiple(() =>
        {
            Assert.That(recorder.Events.Select(e => e.Sequence), Is.EqualTo(new long[] { 1, 2, 3, 16, 17, 18, 19, 20 }));
            Assert.That(recorder.Gaps, Is.EqualTo(new[] { (4L, 15L) }), "the trimmed events are reported, not silently skipped");
        });
    }

    [Test]
    public async Task TwoNodesPublishingToOneTopicAtOnceGiveOneOrderWithNoDuplicateSequence()
    {
        await using var cluster = await Cluster.StartAsync();
        var recorder = new EventRecorder();
        await using var subscription = await (await cluster.C.ConnectAsync()).SubscribeAsync("race", recorder.Handle);

        async Task<long[]> PublishManyAsync(ClusterNode node)
        {
            var sequences = new long[200];
            for (var i = 0; i < sequences.Length; i++)
            {
                sequences[i] = await node.Publisher.PublishAsync("race", Encoding.UTF8.GetBytes($"{node.Name}{i}"));
            }

            return sequences;
        }

        var results = await Task.WhenAll(Task.Run(() => PublishManyAsync(cluster.A)), Task.Run(() => PublishManyAsync(cluster.B)));
        await recorder.WaitForAsync(400);

        var all = results[0].Concat(results[1]).Order().ToArray();
        Assert.Multiple(() =>
        {
            Assert.That(all, Is.EqualTo(Enumerable.Range(1, 400).Select(i => (long)i)), "400 distinct sequences, no hole");
            Assert.That(results[0], Is.Ordered, "each node's own events in its publish order");
            Assert.That(results[1], Is.Ordered);
            Assert.That(recorder.Events.Select(e => e.Sequence), Is.EqualTo(Enumerable.Range(1, 400).Select(i => (long)i)), "the subscriber sees the one order");
            Assert.That(recorder.Events.Select(e => e.Text).Distinct().Count(), Is.EqualTo(400), "each event once");
            Assert.That(recorder.Gaps, Is.Empty);
        });

        // Each payload arrives under the sequence its publisher was given.
        var bySequence = recorder.Events.ToDictionary(e => e.Sequence, e => e.Text);
        for (var i = 0; i < 200; i++)
        {
            Assert.That(bySequence[results[0][i]], Is.EqualTo($"A{i}"));
            Assert.That(bySequence[results[1][i]], Is.EqualTo($"B{i}"));
        }
    }

    [Test]
    public async Task ManyPublishersAndSubscribersOnSeveralNodesAllSeeEveryEventInOrder()
    {
        await using var cluster = await Cluster.StartAsync(configureWsRest: o => o.PubSub.ConnectionQueueCapacity = 5000);
        var recorders = new List<EventRecorder>();
        for (var i = 0; i < 10; i++)
        {
            var recorder = new EventRecorder();
            recorders.Add(recorder);
            var node = i % 2 == 0 ? cluster.B : cluster.C;
            await (await node.ConnectAsync(o => o.SubscriptionQueueCapacity = 5000)).SubscribeAsync("fan", recorder.Handle);
        }

        var next = 0;
        await Task.WhenAll(Enumerable.Range(0, 16).Select(_ => Task.Run(async () =>
        {
            while (Interlocked.Increment(ref next) <= 2000)
            {
                await cluster.A.Publisher.PublishAsync("fan", "x"u8.ToArray());
            }
        })));

        foreach (var recorder in recorders)
        {
            await recorder.WaitForAsync(2000);
            Assert.That(recorder.Events.Select(e => e.Sequence), Is.EqualTo(Enumerable.Range(1, 2000).Select(i => (long)i)));
        }
    }
}
