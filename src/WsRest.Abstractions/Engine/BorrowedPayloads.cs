using System.Threading.Tasks.Sources;

namespace WsRest.Engine;

/// <summary>
/// The DATA frames of one large body write that point into the caller's memory instead of a pooled
/// copy (issue 17: one copy less per byte sent). The write may complete only once the writer has let
/// go of every one of them — copied into its WebSocket message, or dropped because the connection
/// ended — since the caller reuses its buffer as soon as its await returns. Made with a stream's first
/// large write and kept by its <see cref="QueueShare"/>, so small exchanges never make one.
/// </summary>
/// <remarks>
/// Single waiter: a stream sends one write at a time (the <see cref="StreamSender"/> contract), so one
/// reusable <see cref="ManualResetValueTaskSourceCore{TResult}"/> serves every write of the stream
/// without an allocation per write. The writer's thread releases frames; the waiter's continuation runs
/// on the thread pool, never on the writer (application code must not run there).
/// </remarks>
internal sealed class BorrowedPayloads(QueueShare queueShare) : IQueuedFrameOwner, IValueTaskSource
{
    private ManualResetValueTaskSourceCore<bool> _released = new() { RunContinuationsAsynchronously = true };
    private int _outstanding;
    private int _waiting;

    /// <summary>Counts a frame before it is queued; every counted frame must reach <see cref="Release"/> (the frame's payload release does it).</summary>
    public void Add() => Interlocked.Increment(ref _outstanding);

    /// <summary>The writer copied or dropped one frame of <paramref name="length"/> bytes.</summary>
    public void Release(int length)
    {
        // The stream's queue share first: the waiter's next write takes it at once instead of waiting.
        queueShare.Add(length);

        // Whoever takes the waiting flag completes the wait: here, or the waiter itself when it finds
        // nothing outstanding (see WhenReleasedAsync).
        if (Interlocked.Decrement(ref _outstanding) == 0 && Interlocked.Exchange(ref _waiting, 0) == 1)
        {
            _released.SetResult(true);
        }
    }

    /// <summary>Completes once every frame counted so far has been released.</summary>
    public ValueTask WhenReleasedAsync()
    {
        _released.Reset();

        // Exchange is a full fence: the flag is visible before the count is read, and Release reads the
        // flag after its decrement, so one of the two sees the other.
        Interlocked.Exchange(ref _waiting, 1);
        if (Volatile.Read(ref _outstanding) == 0 && Interlocked.Exchange(ref _waiting, 0) == 1)
        {
            return ValueTask.CompletedTask;
        }

        return new ValueTask(this, _released.Version);
    }

    /// <summary>Nothing to do: <see cref="Release"/> (which dropped frames reach too) gave the queue share back.</summary>
    /// <summary>True: borrowed DATA is a response or request body, which the remote's frames provoke.</summary>
    public bool PausesReading => true;

    public void OnQueuedFrameWritten(int length)
    {
    }

    void IValueTaskSource.GetResult(short token) => _released.GetResult(token);

    ValueTaskSourceStatus IValueTaskSource.GetStatus(short token) => _released.GetStatus(token);

    void IValueTaskSource.OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags)
        => _released.OnCompleted(continuation, state, token, flags);
}
