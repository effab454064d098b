using System.IO.Pipelines;
using WsRest.Engine;

namespace WsRest.Abstractions.Tests;

/// <summary>The body pipes' reader scheduler: thread-pool semantics, with work items reused.</summary>
public class PooledThreadPoolSchedulerTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    [Test]
    public async Task RunsTheActionWithItsStateOnTheThreadPoolNotInline()
    {
        using var scheduleReturned = new ManualResetEventSlim();
        var ran = new TaskCompletionSource<(object? State, bool PoolThread, bool AfterScheduleReturned)>(TaskCreationOptions.RunContinuationsAsynchronously);
        var state = new object();

        // Run inline, the action would wait for Schedule to return from inside Schedule: it would time out.
        PooledThreadPoolScheduler.Instance.Schedule(s => ran.TrySetResult((s, Thread.CurrentThread.IsThreadPoolThread, scheduleReturned.Wait(Timeout))), state);
        scheduleReturned.Set();
        var (seen, poolThread, afterScheduleReturned) = await ran.Task.WaitAsync(Timeout);

        Assert.That(seen, Is.SameAs(state));
        Assert.That(poolThread, Is.True);
        Assert.That(afterScheduleReturned, Is.True);
    }

    [Test]
    public async Task AnActionThatSchedulesAgainFromInsideItselfKeepsRunning()
    {
        // The work item goes back to the pool before its action runs, so this chain reuses it while it executes.
        const int Links = 2_000;
        var done = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        var count = 0;
        Action<object?> link = null!;
        link = _ =>
        {
            if (++count == Links)
            {
                done.TrySetResult(count);
            }
            else
            {
                PooledThreadPoolScheduler.Instance.Schedule(link, null);
            }
        };

        PooledThreadPoolScheduler.Instance.Schedule(link, null);

        Assert.That(await done.Task.WaitAsync(Timeout), Is.EqualTo(Links));
    }

    [Test]
    public async Task ConcurrentSchedulesEachRunExactlyOnce()
    {
        const int PerThread = 5_000;
        const int Threads = 4;
        var runs = new int[PerThread * Threads];
        var remaining = runs.Length;
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        await Task.WhenAll(Enumerable.Range(0, Threads).Select(t => Task.Run(() =>
        {
            for (var i = 0; i < PerThread; i++)
            {
                PooledThreadPoolScheduler.Instance.Schedule(
                    index =>
                    {
                        Interlocked.Increment(ref runs[(int)index!]);
                        if (Interlocked.Decrement(ref remaining) == 0)
                        {
                            done.TrySetResult();
                        }
                    },
                    (t * PerThread) + i);
            }
        })));
        await done.Task.WaitAsync(Timeout);

        Assert.That(runs, Is.All.EqualTo(1));
    }

    [Test]
    public async Task WakesAPipeReaderWaitingForData()
    {
        var pipe = new Pipe(new PipeOptions(readerScheduler: PooledThreadPoolScheduler.Instance, writerScheduler: PipeScheduler.Inline, useSynchronizationContext: false));
        for (var round = 0; round < 100; round++)
        {
            var read = pipe.Reader.ReadAsync().AsTask();
            Assert.That(read.IsCompleted, Is.False, "nothing written yet");

            await pipe.Writer.WriteAsync(new byte[] { (byte)round });
            var result = await read.WaitAsync(Timeout);

            Assert.That(result.Buffer.FirstSpan[0], Is.EqualTo((byte)round));
            pipe.Reader.AdvanceTo(result.Buffer.End);
        }
    }
}
