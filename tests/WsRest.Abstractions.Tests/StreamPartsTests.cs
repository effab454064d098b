using WsRest.Engine;

namespace WsRest.Abstractions.Tests;

/// <summary>The small value types a stream's receiver and sender are built from (issue 12: the stream split).</summary>
public class StreamPartsTests
{
    [Test]
    public void ATokenAskedForAfterTheSignalStartsCancelled()
    {
        var cancellation = new LazyCancellation();

        cancellation.Signal();

        Assert.That(cancellation.IsSignalled, Is.True);
        Assert.That(cancellation.Token.IsCancellationRequested, Is.True);
    }

    [Test]
    public async Task ATokenAskedForBeforeTheSignalIsCancelledByIt()
    {
        var cancellation = new LazyCancellation();
        var token = cancellation.Token;
        var fired = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var registration = token.Register(() => fired.TrySetResult());

        Assert.That(token.IsCancellationRequested, Is.False);
        Assert.That(cancellation.Token, Is.EqualTo(token), "one source, made once");
        cancellation.Signal();

        // The callbacks run on the thread pool (CancelAsync), never on the signalling thread.
        await fired.Task.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.That(token.IsCancellationRequested, Is.True);
    }

    [Test]
    public void TheReceiveWindowAnnouncesCreditInBatchesOfHalfAWindow()
    {
        var window = new ReceiveWindow(100);

        Assert.That(window.TryConsume(80), Is.True);
        Assert.That(window.TryConsume(30), Is.False, "past the window");
        Assert.That(window.Release(30), Is.EqualTo(0), "less than half a window read: no WINDOW yet");
        Assert.That(window.Release(20), Is.EqualTo(50));
        Assert.That(window.Available, Is.EqualTo(70));
        Assert.That(window.TryConsume(70), Is.True);
    }

    [Test]
    public void AWindowTheSenderUsedUpAndTheReaderEmptiedDoublesUpToItsBound()
    {
        var window = new ReceiveWindow(100);

        // The sender used (almost) all its credit, and the reader read everything: the window held it back.
        Assert.That(window.TryConsume(95), Is.True);
        Assert.That(window.Release(95, drained: true, maxSize: 300), Is.EqualTo(195), "what was read, plus the growth of 100, at once");
        Assert.That(window.Available, Is.EqualTo(200));

        Assert.That(window.TryConsume(190), Is.True);
        Assert.That(window.Release(190, drained: true, maxSize: 300), Is.EqualTo(290), "grown by 100 only: the bound is 300");
        Assert.That(window.Available, Is.EqualTo(300));

        Assert.That(window.TryConsume(290), Is.True);
        Assert.That(window.Release(290, drained: true, maxSize: 300), Is.EqualTo(290), "at its bound it stays");
        Assert.That(window.TryConsume(301), Is.False, "the window is 300 now, no more");
    }

    [Test]
    public void AWindowDoesNotGrowWhileTheReaderLagsOrTheSenderHasCreditLeft()
    {
        var window = new ReceiveWindow(100);

        // The sender used it up, but the reader left bytes unread: the reader is what is slow.
        Assert.That(window.TryConsume(100), Is.True);
        Assert.That(window.Release(60, drained: false, maxSize: 1000), Is.EqualTo(60), "half a window: the usual batch, no growth");
        Assert.That(window.Available, Is.EqualTo(60));

        // The reader emptied the pipe, but the sender still has credit: it is what is slow. (The
        // exhaustion seen above was answered by growing nothing; this takes it as still pending.)
        var fresh = new ReceiveWindow(100);
        Assert.That(fresh.TryConsume(50), Is.True);
        Assert.That(fresh.Release(50, drained: true, maxSize: 1000), Is.EqualTo(50), "no growth: half a window, announced as usual");
        Assert.That(fresh.Available, Is.EqualTo(100));
    }

    [Test]
    public async Task ABorrowedWriteCompletesOnlyOnceEveryFrameIsReleased()
    {
        var share = new QueueShare(0);
        var borrowed = new BorrowedPayloads(share);

        Assert.That(borrowed.WhenReleasedAsync().AsTask().IsCompletedSuccessfully, Is.True, "nothing outstanding");

        borrowed.Add();
        borrowed.Add();
        var wait = borrowed.WhenReleasedAsync().AsTask();
        borrowed.Release(10);
        Assert.That(wait.IsCompleted, Is.False, "one frame still points into the caller's buffer");
        borrowed.Release(20);
        await wait.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.That(share.Available, Is.EqualTo(30), "each release gave its queue share back");

        // Reusable for the stream's next write.
        borrowed.Add();
        var next = borrowed.WhenReleasedAsync().AsTask();
        Assert.That(next.IsCompleted, Is.False);
        borrowed.Release(5);
        await next.WaitAsync(TimeSpan.FromSeconds(30));
    }
}
