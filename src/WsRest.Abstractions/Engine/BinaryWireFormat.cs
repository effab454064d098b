using System.Net.WebSockets;
using WsRest.Protocol;

namespace WsRest.Engine;

/// <summary>The binary encoding of <c>wsrest.v1</c> (docs/protocol.md §3): frames back to back in a binary message.</summary>
internal sealed class BinaryWireFormat : WireFormat
{
    public static readonly BinaryWireFormat Instance = new();

    private BinaryWireFormat()
    {
    }

    public override WebSocketMessageType MessageType => WebSocketMessageType.Binary;

    public override string SubProtocol => WsRestProtocol.SubProtocol;

    public override void ReadMessage(ReadOnlySpan<byte> message, IFrameSink sink, bool single = false)
    {
        if (message.IsEmpty)
        {
            throw new WsRestProtocolException("An empty WebSocket message carries no frame.");
        }

        while (!message.IsEmpty)
        {
            if (!FrameCodec.TryReadFrame(message, out var frame, out var consumed))
            {
                throw new WsRestProtocolException("Malformed frame: a frame is truncated or its length runs past the end of the message.");
            }

            if (single && consumed != message.Length)
            {
                throw new WsRestProtocolException("Malformed frame: a handshake message must be exactly one frame.");
            }

            sink.OnFrame(frame);
            message = message[consumed..];
        }
    }

    public override int EncodedLengthUpperBound(in OutgoingFrame frame) => frame.EncodedLengthUpperBound;

    public override void WriteFrame(PooledBufferWriter message, in OutgoingFrame frame, bool first) => frame.WriteTo(message);

    public override void WriteFrame(PooledBufferWriter message, FrameType type, FrameFlags flags, ulong streamId, ReadOnlySpan<byte> payload, bool first)
        => FrameCodec.WriteFrame(message, type, flags, streamId, payload);

    public override ReadOnlyMemory<byte> CompleteMessage(PooledBufferWriter message, int frames) => message.WrittenMemory;
}
