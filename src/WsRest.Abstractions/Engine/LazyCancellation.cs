using System.Diagnostics.CodeAnalysis;

namespace WsRest.Engine;

/// <summary>
/// A cancellation source made only when someone asks for its token: most exchanges never wait for
/// credit or watch for an abort, so most streams never make one. A flag set before the source is
/// looked at, and looked at after a source is published, makes sure a source made after its signal
/// still starts cancelled.
/// </summary>
/// <remarks>
/// A mutable struct kept in a (non-readonly) field of its owner and only used through that field: a
/// copy would lose the source. The source has no timer, so it needs no disposal.
/// </remarks>
[SuppressMessage("Reliability", "CA1001", Justification = "The source has no timer; it needs no disposal, and its owners are dropped, not disposed.")]
internal struct LazyCancellation
{
    private CancellationTokenSource? _source;
    private int _signalled;

    public CancellationToken Token => GetSource().Token;

    public bool IsSignalled => Volatile.Read(ref _signalled) != 0;

    /// <summary>Cancels the token, now or as soon as it is made; only the first call does anything.</summary>
    public void Signal()
    {
        if (Interlocked.Exchange(ref _signalled, 1) == 0 && Volatile.Read(ref _source) is { } source)
        {
            // CancelAsync runs the callbacks on the thread pool: application code (RequestAborted
            // callbacks) must never run on the read loop.
            _ = source.CancelAsync();
        }
    }

    private CancellationTokenSource GetSource()
    {
        var source = Volatile.Read(ref _source);
        if (source is not null)
        {
            return source;
        }

        var created = new CancellationTokenSource();
        source = Interlocked.CompareExchange(ref _source, created, null);
        if (source is not null)
        {
            created.Dispose();
            return source;
        }

        if (Volatile.Read(ref _signalled) != 0)
        {
            // Signalled before anyone asked for the token: nothing can be registered on it yet.
            created.Cancel();
        }

        return created;
    }
}
