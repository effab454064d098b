namespace WsRest.Engine;

/// <summary>
/// Credit this side granted the peer (docs/protocol.md §7). The read loop consumes credit as body
/// bytes arrive; readers of the body release it as they read, and a WINDOW frame goes out once half
/// of the window has been read, so updates are batched rather than sent per read.
/// Only the read loop calls <see cref="TryConsume"/>; any thread may call <see cref="Release"/>, but only
/// a stream's one body reader passes <c>drained</c> (the connection window never grows).
/// </summary>
/// <remarks>
/// <para>
/// A struct inside its owner (the peer for the connection window, <see cref="StreamReceiver"/> for a
/// stream's), as Kestrel's <c>StreamInputFlowControl</c>: no object of its own per stream. Keep it in
/// a field that is not <c>readonly</c>: a readonly field would hand each call a copy, and the
/// interlocked updates would land on the copy.
/// </para>
/// <para>
/// Auto-tuning (issue 17, docs/decisions.md): a stream's window doubles, up to the bound its owner
/// passes, when the window is what holds the transfer back: the peer used up its credit (arrivals
/// left less than an eighth of the window, so nothing more could be on its way) and the reader still
/// emptied everything that arrived. The grown part is announced at once with the pending credit.
/// A reader that does not keep up never empties the pipe while the sender refills it, so its window
/// stays as it is; the connection window does not auto-tune, so what a connection may buffer stays
/// bounded by it whatever its streams' windows grow to.
/// </para>
/// </remarks>
internal struct ReceiveWindow
{
    private int _size;
    private int _available;
    private int _pending;
    private int _exhausted;

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

        if (Interlocked.Add(ref _available, -count) < Volatile.Read(ref _size) / 8)
        {
            // The peer has (almost) no credit left and nothing of it in flight: it waits for us.
            Volatile.Write(ref _exhausted, 1);
        }

        return true;
    }

    /// <summary>Records <paramref name="count"/> bytes read; returns the increment to announce, or 0 to wait for more.</summary>
    /// <param name="count">Bytes the reader consumed.</param>
    /// <param name="drained">Nothing that arrived is left unread after this read.</param>
    /// <param name="maxSize">How far the window may grow; at or below its size it stays fixed.</param>
    public int Release(int count, bool drained = false, int maxSize = 0)
    {
        if (count <= 0)
        {
            return 0;
        }

        var pending = Interlocked.Add(ref _pending, count);
        var size = Volatile.Read(ref _size);
        var growth = 0;
        if (drained && size < maxSize && Interlocked.Exchange(ref _exhausted, 0) == 1)
        {
            // The reader emptied a window the sender had used up: the window, not the reader, is
            // what limits this stream. Grow it, and announce at once what was read with the growth.
            growth = Math.Min(size, maxSize - size);
            Volatile.Write(ref _size, size + growth);
        }
        else if (pending < size / 2)
        {
            return 0;
        }

        var increment = Interlocked.Exchange(ref _pending, 0) + growth;
        if (increment > 0)
        {
            Interlocked.Add(ref _available, increment);
        }

        return increment;
    }
}
