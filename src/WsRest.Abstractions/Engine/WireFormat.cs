using System.Net.WebSockets;
using WsRest.Protocol;
using WsRest.Protocol.Json;

namespace WsRest.Engine;

/// <summary>
/// How the frames of docs/protocol.md §3–§10 travel in WebSocket messages: the binary encoding of
/// <c>wsrest.v1</c> (§3) or the JSON encoding of <c>wsrest.v1.json</c> (§13). The engine and the
/// handshake talk frames only; the format of a connection follows from the subprotocol its WebSocket
/// negotiated, so hosts never choose or see it (issue 14: "a second codec, not a second engine").
/// </summary>
/// <remarks>
/// An instance may keep scratch state, so each user (the read loop, the write loop, one handshake
/// step) takes its own from <see cref="For"/>; the binary format is stateless and shared.
/// </remarks>
internal abstract class WireFormat
{
    /// <summary>The format of a WebSocket whose negotiated subprotocol is <paramref name="subProtocol"/>; binary unless it is JSON.</summary>
    public static WireFormat For(string? subProtocol)
        => string.Equals(subProtocol, WsRestProtocol.JsonSubProtocol, StringComparison.Ordinal) ? new JsonWireFormat() : BinaryWireFormat.Instance;

    /// <summary>The only WebSocket message type a connection of this format carries (§2, §13.1).</summary>
    public abstract WebSocketMessageType MessageType { get; }

    /// <summary>The subprotocol name, for error texts.</summary>
    public abstract string SubProtocol { get; }

    /// <summary>
    /// Decodes one whole received message and hands its frames to <paramref name="sink"/> in order.
    /// <paramref name="single"/>: the message must be exactly one frame (a handshake message, §4, §13.2).
    /// A malformed message throws <see cref="WsRestProtocolException"/>.
    /// </summary>
    public abstract void ReadMessage(ReadOnlySpan<byte> message, IFrameSink sink, bool single = false);

    /// <summary>Upper bound of <paramref name="frame"/>'s encoded size, for the writer's batching decision (§3.1).</summary>
    public abstract int EncodedLengthUpperBound(in OutgoingFrame frame);

    /// <summary>Appends <paramref name="frame"/> to the message being built; <paramref name="first"/> starts a new message.</summary>
    public abstract void WriteFrame(PooledBufferWriter message, in OutgoingFrame frame, bool first);

    /// <summary>Appends one frame given by its parts (handshake messages and rejections).</summary>
    public abstract void WriteFrame(PooledBufferWriter message, FrameType type, FrameFlags flags, ulong streamId, ReadOnlySpan<byte> payload, bool first);

    /// <summary>The bytes to send for a message of <paramref name="frames"/> frames written into <paramref name="message"/>.</summary>
    public abstract ReadOnlyMemory<byte> CompleteMessage(PooledBufferWriter message, int frames);
}
