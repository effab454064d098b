using System.Text;
using WsRest.Redis.Tests.Infrastructure;

namespace WsRest.Redis.Tests.PubSub;

[Parallelizable(ParallelScope.None)]
public sealed class RedisOutageTests
{
    [Test]
    public async Task RedisRestartedMidTrafficFailsPublishesClearlyLosesNothingSilentlyAndRecovers()
    {
        await using var cluster = await Cluster.StartAsync();
        var recorder = new EventRecorder();
        await using var subscription = await (await cluster.B.ConnectAsync()).SubscribeAsync("ticks", recorder.Handle);

        var acknowledged = new System.Collections.Concurrent.ConcurrentQueue<long>();
        var failures = new System.Collections.Concurrent.ConcurrentQueue<Exception>();
        var ackedAfterRestart = 0;
        var restarted = false;
        var progress = new SemaphoreSlim(0);
        using var stop = new CancellationTokenSource();
        var publishing = Task.Run(async () =>
        {
            for (var i = 0; !stop.IsCancellationRequested; i++)
            {
                try
                {
                    acknowledged.Enqueue(await cluster.A.Publisher.PublishAsync("ticks", Encoding.UTF8.GetBytes($"tick {i}")));
                    if (Volatile.Read(ref restarted))
                    {
                        Interlocked.Increment(ref ackedAfterRestart);
                    }
                }
                catch (WsRestBackplaneException ex)
                {
                    failures.Enqueue(ex);
                    await Task.Delay(10);
                }

                progress.Release();
            }
        });

        async Task WaitUntilAsync(Func<bool> condition)
        {
            using var timeout = new CancellationTokenSource(Cluster.Generous);
            while (!condition())
            {
                await progress.WaitAsync(timeout.Token);
            }
        }

        await WaitUntilAsync(() => acknowledged.Count >= 20);
        await cluster.Redis.KillAsync();
        await WaitUntilAsync(() => failures.Count >= 3);
        await cluster.Redis.RestartAsync();
        Volatile.Write(ref restarted, true);
        await WaitUntilAsync(() => Volatile.Read(ref ackedAfterRestart) >= 20);
        await stop.CancelAsync();
        await publishing;

        await recorder.WaitForAsync(acknowledged.Max());
        var seen = recorder.Events.Select(e => e.Sequence).ToArray();
        var gaps = recorder.Gaps;
        Assert.Multiple(() =>
        {
            Assert.That(failures.First().Message, Does.Contain("Redis").And.Contain("ticks"), "a publish while Redis is down says so");
            Assert.That(acknowledged, Is.Ordered.And.Unique, "one numbering across the outage");
            Assert.That(seen, Is.Ordered.And.Unique, "no event twice");
            Assert.That(acknowledged.Where(s => !seen.Contains(s) && !gaps.Any(g => g.From <= s && s <= g.To)), Is.Empty, "every acknowledged event was delivered or reported as a gap");
        });

        // Redis keeps the acknowledged events (append-only, fsync always): none of them is lost.
        Assert.That(acknowledged.Except(seen), Is.Empty);
    }
}
