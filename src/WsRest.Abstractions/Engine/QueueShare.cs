namespace WsRest.Engine;

/// <summary>
/// A stream's share of the writer's queue: how many of its DATA bytes may wait there at once
/// (<see cref="WsRestPeer.QueuedDataPerStream"/>). Taken before flow-control credit and given back as the
/// writer copies each frame out, so a stream never has more than a few chunks queued and streams
/// interleave fairly (docs/architecture.md).
/// </summary>
internal sealed class QueueShare(int bytes) : ByteCredit(bytes);
