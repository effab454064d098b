namespace PetStore.Api;

/// <summary>
/// What became of the requests to <c>GET /slow</c>: the web page's Cancel button aborts one, and the
/// server must see that as <see cref="HttpContext.RequestAborted"/> whichever transport carried it.
/// The log only counts and announces; it keeps no history.
/// </summary>
public sealed class SlowRequestLog
{
    private int _started;
    private int _aborted;
    private int _completed;

    /// <summary>Raised when a slow request starts waiting (synchronously, on the request's thread).</summary>
    public event Action? Started;

    /// <summary>Raised when a slow request ends: true when its caller aborted it, false when it ran to completion.</summary>
    public event Action<bool>? Finished;

    /// <summary>How many slow requests started waiting.</summary>
    public int StartedCount => Volatile.Read(ref _started);

    /// <summary>How many slow requests their callers aborted.</summary>
    public int AbortedCount => Volatile.Read(ref _aborted);

    /// <summary>How many slow requests waited their full time.</summary>
    public int CompletedCount => Volatile.Read(ref _completed);

    internal void OnStarted()
    {
        Interlocked.Increment(ref _started);
        Started?.Invoke();
    }

    internal void OnFinished(bool aborted)
    {
        Interlocked.Increment(ref aborted ? ref _aborted : ref _completed);
        Finished?.Invoke(aborted);
    }
}
