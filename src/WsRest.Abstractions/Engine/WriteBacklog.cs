namespace WsRest.Engine;

/// <summary>
/// What waits in one connection's write queue for the remote to read it (issue 19, item 1): the memory
/// the queued frames hold and how many replies the remote provoked (PONG, refusals). The read loop
/// stops reading while more than <see cref="PauseAbove"/> bytes wait and resumes once the writer has
/// drained half of it; queueing past <see cref="HardLimit"/> fails, and the peer aborts the connection,
/// as Kestrel does when its HTTP/2 output queue is full. Any thread adds; only the writer removes;
/// only the read loop waits.
/// </summary>
internal sealed class WriteBacklog
{
    /// <summary>What one queued frame costs besides its payload array: its slot in the channel.</summary>
    public const int FrameOverhead = 64;

    private long _bytes;

    // The part of _bytes that does not pause reading (pub/sub deliveries). Counted apart, so the frames of
    // HTTP exchanges (nearly all) cost one interlocked add each way, as before the distinction.
    private long _exemptBytes;
    private int _replies;
    private long _peakBytes;
    private int _pauses;
    private TaskCompletionSource? _drained;

    public WriteBacklog(long pauseAbove, long hardLimit, int maxReplies)
    {
        PauseAbove = pauseAbove;
        HardLimit = hardLimit;
        MaxReplies = maxReplies;
    }

    /// <summary>Above this many queued bytes the read loop stops reading from the remote.</summary>
    public long PauseAbove { get; }

    /// <summary>No frame may be queued past this many bytes (the write queue's real bound).</summary>
    public long HardLimit { get; }

    /// <summary>Most replies to the remote's own frames (PONG, refusing CANCEL) that may wait at once; the peer fails the connection past it.</summary>
    public int MaxReplies { get; }

    /// <summary>Bytes the queued frames hold: payload arrays (as rented, not only the bytes used) and slots.</summary>
    public long Bytes => Volatile.Read(ref _bytes);

    public int Replies => Volatile.Read(ref _replies);

    /// <summary>The most <see cref="Bytes"/> ever reached on this connection (for tests and diagnostics).</summary>
    public long PeakBytes => Volatile.Read(ref _peakBytes);

    /// <summary>How many times the read loop waited for the writer.</summary>
    public int Pauses => Volatile.Read(ref _pauses);

    /// <summary>
    /// The read loop must wait for the writer before it reads the remote's next message: more than
    /// <see cref="PauseAbove"/> bytes of frames that pause reading wait (<see cref="PausesReading"/>).
    /// </summary>
    public bool ShouldPauseReading => PausingBytes > PauseAbove;

    /// <summary>Whether <paramref name="frame"/> counts toward <see cref="ShouldPauseReading"/> (all frames count toward <see cref="HardLimit"/>).</summary>
    public static bool PausesReading(in OutgoingFrame frame) => frame.Owner?.PausesReading ?? true;

    /// <summary>Counts a frame in; false (nothing counted) when it would take the queue past <see cref="HardLimit"/>.</summary>
    /// <param name="cost">From <see cref="CostOf"/>.</param>
    /// <param name="pausesReading">From <see cref="PausesReading"/>.</param>
    /// <param name="force">Frames that end the connection (ERROR, GOAWAY) are queued whatever the count.</param>
    public bool TryAdd(int cost, bool pausesReading = true, bool force = false)
    {
        // An exempt frame is counted as exempt before it is counted at all (and uncounted in the opposite
        // order in Remove), so the read loop never sees it as a frame that pauses reading, even for a moment.
        if (!pausesReading)
        {
            Interlocked.Add(ref _exemptBytes, cost);
        }

        var bytes = Interlocked.Add(ref _bytes, cost);
        if (bytes > HardLimit && !force)
        {
            Interlocked.Add(ref _bytes, -cost);
            if (!pausesReading)
            {
                Interlocked.Add(ref _exemptBytes, -cost);
            }

            return false;
        }

        // A compare-and-swap only when a new peak is reached, which stops happening once a connection's
        // traffic has settled.
        for (var peak = Volatile.Read(ref _peakBytes); bytes > peak; peak = Volatile.Read(ref _peakBytes))
        {
            if (Interlocked.CompareExchange(ref _peakBytes, bytes, peak) == peak)
            {
                break;
            }
        }

        return true;
    }

    /// <summary>Counts a queued reply the remote provoked; whoever queues replies checks <see cref="Replies"/> against <see cref="MaxReplies"/> first.</summary>
    public void AddReply() => Interlocked.Increment(ref _replies);

    /// <summary>The writer copied a frame out (or dropped it).</summary>
    public void Remove(int cost, bool reply, bool pausesReading = true)
    {
        if (reply)
        {
            Interlocked.Decrement(ref _replies);
        }

        Interlocked.Add(ref _bytes, -cost);
        if (!pausesReading)
        {
            Interlocked.Add(ref _exemptBytes, -cost);
        }

        if (PausingBytes <= PauseAbove / 2 && Volatile.Read(ref _drained) is not null)
        {
            ReleaseWaiter();
        }
    }

    /// <summary>Queued bytes of the frames that pause reading.</summary>
    private long PausingBytes => Volatile.Read(ref _bytes) - Volatile.Read(ref _exemptBytes);

    /// <summary>
    /// Completes once at most half of <see cref="PauseAbove"/> waits (or <see cref="ReleaseWaiter"/> is
    /// called because the connection ends). Single waiter: the read loop.
    /// </summary>
    public Task WaitForDrainAsync()
    {
        var waiter = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        // Published before the count is read (Exchange is a full fence), and the writer reads the waiter
        // after its decrement: either the count seen here is already low, or the writer sees the waiter.
        Interlocked.Exchange(ref _drained, waiter);
        if (PausingBytes <= PauseAbove / 2)
        {
            ReleaseWaiter();
        }
        else
        {
            Interlocked.Increment(ref _pauses);
        }

        return waiter.Task;
    }

    /// <summary>Wakes the read loop if it waits (drained, or the connection is ending).</summary>
    public void ReleaseWaiter() => Interlocked.Exchange(ref _drained, null)?.TrySetResult();

    /// <summary>Memory a queued frame holds: its rented payload array (a borrowed payload: the bytes it points at) and its slot.</summary>
    public static int CostOf(in OutgoingFrame frame) => FrameOverhead + (frame.IsBorrowed ? frame.Length : frame.Payload?.Length ?? 0);
}
