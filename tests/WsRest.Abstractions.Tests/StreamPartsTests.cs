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
}
