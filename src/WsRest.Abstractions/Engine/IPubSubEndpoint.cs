using WsRest.Protocol;

namespace WsRest.Engine;

/// <summary>
/// Receives the pub/sub frames of one connection (docs/protocol.md §10). Called on the read loop:
/// implementations copy what they need and return at once; no application code runs here.
/// </summary>
internal interface IPubSubEndpoint
{
    void OnFrame(FrameType type, FrameFlags flags, ulong id, ReadOnlySpan<byte> payload);

    /// <summary>The connection ended; <paramref name="reason"/> is null for a clean close.</summary>
    void OnConnectionClosed(Exception? reason);
}

/// <summary>Something that limits how many of its frames wait in the writer's queue; the writer reports each one copied out.</summary>
internal interface IQueuedFrameOwner
{
    void OnQueuedFrameWritten(int length);
}
