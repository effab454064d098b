namespace WsRest.Engine;

/// <summary>
/// Bytes a sender may take, or wait for: the mechanics shared by <see cref="SendWindow"/> (credit the
/// peer granted) and <see cref="QueueShare"/> (room in the writer's queue). The lock guards only field
/// updates; nothing awaits while holding it.
/// </summary>
internal abstract class ByteCredit
{
    // Several per stream: a monitor on the object itself costs no allocation, a Lock object would.
    private long _available;
    private List<TaskCompletionSource>? _waiters;
    private Exception? _aborted;

    protected ByteCredit(int initial)
    {
        _available = initial;
    }

    public long Available
    {
        get
        {
            lock (this)
            {
                return _available;
            }
        }
    }

    /// <summary>What <see cref="Abort"/> was first called with; null while takers may still take.</summary>
    public Exception? AbortReason
    {
        get
        {
            lock (this)
            {
                return _aborted;
            }
        }
    }

    /// <summary>Takes up to <paramref name="max"/> bytes of credit without waiting; 0 when none is available.</summary>
    public int TryTake(int max)
    {
        lock (this)
        {
            if (_aborted is not null)
            {
                throw _aborted;
            }

            var taken = (int)Math.Min(max, _available);
            _available -= taken;
            return taken;
        }
    }

    /// <summary>Takes between 1 and <paramref name="max"/> bytes of credit, waiting for some to be added if none is available.</summary>
    public async ValueTask<int> TakeAsync(int max, CancellationToken cancellationToken)
    {
        while (true)
        {
            TaskCompletionSource waiter;
            lock (this)
            {
                if (_aborted is not null)
                {
                    throw _aborted;
                }

                if (_available > 0)
                {
                    var taken = (int)Math.Min(max, _available);
                    _available -= taken;
                    return taken;
                }

                waiter = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                (_waiters ??= []).Add(waiter);
            }

            await waiter.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Adds credit; returns false when the window would exceed 2^31-1 (a flow-control error).</summary>
    public bool Add(int increment)
    {
        List<TaskCompletionSource>? waiters;
        lock (this)
        {
            _available += increment;
            if (_available > int.MaxValue)
            {
                return false;
            }

            waiters = _waiters;
            _waiters = null;
        }

        if (waiters is not null)
        {
            foreach (var waiter in waiters)
            {
                waiter.TrySetResult();
            }
        }

        return true;
    }

    /// <summary>Fails current and future takers with <paramref name="reason"/>.</summary>
    public void Abort(Exception reason)
    {
        List<TaskCompletionSource>? waiters;
        lock (this)
        {
            _aborted ??= reason;
            waiters = _waiters;
            _waiters = null;
        }

        if (waiters is not null)
        {
            foreach (var waiter in waiters)
            {
                waiter.TrySetException(reason);
            }
        }
    }
}
