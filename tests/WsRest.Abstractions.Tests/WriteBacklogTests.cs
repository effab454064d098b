using WsRest.Engine;

namespace WsRest.Abstractions.Tests;

/// <summary>The write queue's accounting: its hard bound, the reply limit, and the read loop's wait for a drain.</summary>
public class WriteBacklogTests
{
    [Test]
    public void NothingIsQueuedPastTheHardLimitExceptFramesThatEndTheConnection()
    {
        var backlog = new WriteBacklog(pauseAbove: 100, hardLimit: 1000, maxReplies: 2);

        Assert.That(backlog.TryAdd(900), Is.True);
        Assert.That(backlog.TryAdd(200), Is.False);
        Assert.That(backlog.Bytes, Is.EqualTo(900), "a refused frame is not counted");
        Assert.That(backlog.TryAdd(200, force: true), Is.True);
        Assert.That(backlog.PeakBytes, Is.EqualTo(1100));
    }

    [Test]
    public void RepliesAreCountedUntilTheWriterTakesThem()
    {
        var backlog = new WriteBacklog(pauseAbove: 100, hardLimit: 1000, maxReplies: 2);

        backlog.TryAdd(64);
        backlog.AddReply();
        backlog.TryAdd(64);
        backlog.AddReply();
        Assert.That(backlog.Replies, Is.EqualTo(backlog.MaxReplies));
        backlog.Remove(64, reply: true);
        Assert.That(backlog.Replies, Is.EqualTo(1));
    }

    [Test]
    public async Task TheReadLoopWaitsUntilHalfOfThePauseThresholdIsDrained()
    {
        var backlog = new WriteBacklog(pauseAbove: 100, hardLimit: 1000, maxReplies: 2);
        backlog.TryAdd(80);
        backlog.TryAdd(80);
        Assert.That(backlog.ShouldPauseReading, Is.True);

        var drained = backlog.WaitForDrainAsync();
        Assert.That(backlog.Pauses, Is.EqualTo(1));
        backlog.Remove(80, reply: false);
        Assert.That(drained.IsCompleted, Is.False, "80 bytes still wait, more than half of 100");
        backlog.Remove(40, reply: false);
        await drained.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.That(backlog.ShouldPauseReading, Is.False);
    }

    [Test]
    public void FramesThatDoNotPauseReadingStillCountTowardTheHardLimit()
    {
        var backlog = new WriteBacklog(pauseAbove: 100, hardLimit: 1000, maxReplies: 2);

        Assert.That(backlog.TryAdd(600, pausesReading: false), Is.True);
        Assert.That(backlog.ShouldPauseReading, Is.False, "600 bytes wait, none of them pause reading");
        Assert.That(backlog.TryAdd(80), Is.True);
        Assert.That(backlog.ShouldPauseReading, Is.False, "80 bytes that pause reading, under 100");
        Assert.That(backlog.TryAdd(400, pausesReading: false), Is.False, "the hard limit counts every frame");
        Assert.That(backlog.TryAdd(80), Is.True);
        Assert.That(backlog.ShouldPauseReading, Is.True);

        backlog.Remove(600, reply: false, pausesReading: false);
        Assert.That(backlog.ShouldPauseReading, Is.True, "the frames that pause reading are still there");
        Assert.That(backlog.Bytes, Is.EqualTo(160));
    }

    [Test]
    public async Task AWaitThatStartsDrainedCompletesAtOnceAndAnEndingConnectionReleasesTheWaiter()
    {
        var backlog = new WriteBacklog(pauseAbove: 100, hardLimit: 1000, maxReplies: 2);
        await backlog.WaitForDrainAsync().WaitAsync(TimeSpan.FromSeconds(30));
        Assert.That(backlog.Pauses, Is.Zero);

        backlog.TryAdd(500);
        var waiting = backlog.WaitForDrainAsync();
        backlog.ReleaseWaiter();
        await waiting.WaitAsync(TimeSpan.FromSeconds(30));
    }
}
