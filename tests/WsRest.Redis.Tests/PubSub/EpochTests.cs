using System.Collections.Concurrent;
using StackExchange.Redis;
using WsRest.Redis.Tests.Infrastructure;
using WsRest.Tests.Infrastructure;

namespace WsRest.Redis.Tests.PubSub;

/// <summary>
/// Issue 18, item 8, with the Redis backplane: the numbering lives in Redis, so moving to another node
/// keeps the epoch; only when Redis itself lost the topic does the numbering restart, with a new epoch
/// that subscribers see as a reset.
/// </summary>
[Parallelizable(ParallelScope.None)]
public sealed class EpochTests
{
    [Test]
    public async Task MovingToAnotherNodeKeepsTheEpochAndALostTopicStartsANewOne()
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
        var log = new ConcurrentQueue<WsRestEvent>();
        var arrived = new SemaphoreSlim(0);
        await using var subscription = await client.SubscribeAsync("pets/changed", (e, _) =>
        {
            log.Enqueue(e);
            arrived.Release();
            return ValueTask.CompletedTask;
        });
        for (var i = 1; i <= 5; i++)
        {
            await cluster.C.Publisher.PublishAsync("pets/changed", new[] { (byte)i });
        }

        await WaitForAsync(arrived, 5);
        var epoch = subscription.Epoch;
        Assert.That(epoch, Is.Not.Zero);

        // A stops; the client resumes on B: the same numbering, the same epoch, no reset.
        balancer.Target = FaultProxy.ToEndPoint(cluster.B.WsRestEndpoint);
        await cluster.A.StopAsync();
        for (var i = 6; i <= 8; i++)
        {
            await cluster.C.Publisher.PublishAsync("pets/changed", new[] { (byte)i });
        }

        await WaitForAsync(arrived, 3);
        Assert.That(log.Select(e => (e.Kind, e.Epoch, e.Sequence)), Is.EqualTo(Enumerable.Range(1, 8).Select(i => (WsRestEventKind.Event, epoch, (long)i))));

        // Redis loses everything (a restart without persistence) while the client is away: C numbers the
        // topic from 1 again, in a new epoch.
        balancer.RejectNew();
        balancer.ResetAll();
        using (var admin = await ConnectionMultiplexer.ConnectAsync($"{cluster.Redis.ConnectionString},allowAdmin=true"))
        {
            await admin.GetServer(admin.GetEndPoints()[0]).FlushAllDatabasesAsync();
        }

        for (var i = 1; i <= 3; i++)
        {
            Assert.That(await cluster.C.Publisher.PublishAsync("pets/changed", new[] { (byte)(100 + i) }), Is.EqualTo(i));
        }

        balancer.RejectNew(false);
        await WaitForAsync(arrived, 4);
        var after = log.Skip(8).ToArray();
        Assert.That(after[0].Kind, Is.EqualTo(WsRestEventKind.Reset));
        var newEpoch = after[0].Epoch;
        Assert.That(newEpoch, Is.Not.Zero.And.Not.EqualTo(epoch));
        Assert.That(after.Skip(1).Select(e => (e.Kind, e.Epoch, e.Sequence, e.Data.Span[0])), Is.EqualTo(Enumerable.Range(1, 3).Select(i => (WsRestEventKind.Event, newEpoch, (long)i, (byte)(100 + i)))));
        Assert.That(log.Where(e => e.Kind == WsRestEventKind.Event).Select(e => (e.Epoch, e.Sequence)).Distinct().Count(), Is.EqualTo(11), "(epoch, sequence) names each of the 11 events once");
    }

    private static async Task WaitForAsync(SemaphoreSlim arrived, int count)
    {
        for (var i = 0; i < count; i++)
        {
            Assert.That(await arrived.WaitAsync(Cluster.Generous), Is.True, $"delivery {i + 1} of {count}");
        }
    }
}
