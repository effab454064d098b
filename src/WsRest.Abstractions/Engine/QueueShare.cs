namespace WsRest.Engine;

/// <summary>
/// A stream's share of the writer's queue: how many of its DATA bytes may wait there at once
/// (<see cref="WsRestPeer.QueuedDataPerStream"/>). Taken before flow-control credit and given back as the
/// writer copies each frame out, so a stream never has more than a few chunks queued and streams
/// interleave fairly (docs/architecture.md).
/// </summary>
internal sealed class QueueShare(int bytes) : ByteCredit(bytes)
{
    private BorrowedPayloads? _borrowed;

    /// <summary>
    /// The stream's queued frames that point into a caller's buffer, made with its first write large
    /// enough to borrow. Kept here rather than in <see cref="StreamSender"/>: only a stream that queues
    /// DATA has a share, so the streams of small exchanges stay as large as they were. Only the stream's
    /// one sender (one write at a time) asks for it.
    /// </summary>
    public BorrowedPayloads Borrowed => _borrowed ??= new BorrowedPayloads(this);
}
