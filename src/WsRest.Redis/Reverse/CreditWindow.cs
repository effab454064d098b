namespace WsRest.Redis.Reverse;

/// <summary>
/// The sending side of a call's back-pressure: at most <c>window</c> chunks may be sent beyond what the
/// receiver has reported consumed (<see cref="CallMessageKind.Credit"/>); the sender waits for room.
/// </summary>
internal sealed class CreditWindow(int window)
{
    private readonly Lock _lock = new();
    private long _granted;
    private Exception? _failure;
    private TaskCompletionSource? _waiter;

    /// <summary>True while the sender waits for credit (the receiver is behind by the whole window).</summary>
    public bool IsWaiting
    {
        get
        {
            lock (_lock)
            {
                return _waiter is not null;
            }
        }
    }

    /// <summary>Waits until chunk number <paramref name="sent"/> (0-based) may be sent.</summary>
    public async ValueTask WaitForRoomAsync(long sent, CancellationToken cancellationToken)
    {
        while (true)
        {
            TaskCompletionSource waiter;
            lock (_lock)
            {
                if (_failure is not null)
                {
                    throw _failure;
                }

                if (sent - _granted < window)
                {
                    return;
                }

                waiter = _waiter ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            }

            await waiter.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>The receiver has consumed <paramref name="total"/> chunks in all (credits may arrive late or twice: only growth counts).</summary>
    public void Grant(long total)
    {
        TaskCompletionSource? waiter;
        lock (_lock)
        {
            if (total <= _granted)
            {
                return;
            }

            _granted = total;
            waiter = _waiter;
            _waiter = null;
        }

        waiter?.TrySetResult();
    }

    public void Fail(Exception failure)
    {
        TaskCompletionSource? waiter;
        lock (_lock)
        {
            _failure ??= failure;
            waiter = _waiter;
            _waiter = null;
        }

        waiter?.TrySetResult();
    }
}
