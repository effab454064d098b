namespace WsRest.Engine;

/// <summary>
/// Credit this side granted the peer (docs/protocol.md §7). The read loop consumes credit as body
/// bytes arrive; readers of the body release it as they read, and a WINDOW frame goes out once half
/// of the window has been read, so updates are batched rather than sent per read.
/// Only the read loop calls <see cref="TryConsume"/>; any thread may call <see cref="Release"/>.
/// </summary>
/// <remarks>
/// A struct inside its owner (the peer for the connection window, <see cref="StreamReceiver"/> for a
/// stream's), as Kestrel's <c>StreamInputFlowControl</c>: no object of its own per stream. Keep it in
/// a field that is not <c>readonly</c>: a readonly field would hand each call a copy, and the
/// interlocked updates would land on the copy.
/// </remarks>
internal struct ReceiveWindow
{
    private readonly int _size;
    private int _available;
    private int _pending;

    public ReceiveWindow(int size)
    {
        _size = size;
        _available = size;
    }

    public int Available => Volatile.Read(ref _available);

    public bool TryConsume(int count)
    {
        // Safe without a CAS loop: only the read loop decreases _available.
        if (count > Volatile.Read(ref _available))
        {
            return false;
        }

        Interlocked.Add(ref _available, -count);
        return true;
    }

    /// <summary>Records <paramref name="count"/> bytes read; returns the increment to announce, or 0 to wait for more.</summary>
    public int Release(int count)
    {
        if (count <= 0)
        {
            return 0;
        }

        var pending = Interlocked.Add(ref _pending, count);
        if (pending < _size / 2)
        {
            return 0;
        }

        var increment = Interlocked.Exchange(ref _pending, 0);
        if (increment > 0)
        {
            Interlocked.Add(ref _available, increment);
        }

        return increment;
    }
}
