using System.Net.WebSockets;
using System.Runtime.InteropServices;
using WsRest.Engine;

namespace WsRest.Protocol.Json;

/// <summary>
/// The JSON encoding <c>wsrest.v1.json</c> (docs/protocol.md §13): one frame object per text message,
/// or an array of them when the writer batches (§13.2). A pure transcoder between frame objects and the
/// binary frames the engine processes.
/// </summary>
/// <remarks>
/// The decoder is used only by the reading side and the encoder only by the writing side; each loop
/// of a peer takes its own instance (<see cref="WireFormat.For"/>), so nothing here is shared.
/// </remarks>
internal sealed class JsonWireFormat : WireFormat
{
    // Object braces, "t", "uid", "e", "de" and a separator: generous, so the bound stays an upper bound.
    private const int FrameOverhead = 96;

    private JsonFrameDecoder? _decoder;
    private JsonFrameEncoder? _encoder;
    private int _objects;

    public override WebSocketMessageType MessageType => WebSocketMessageType.Text;

    public override string SubProtocol => WsRestProtocol.JsonSubProtocol;

    /// <summary>The <c>auth</c> member of the HELLO this instance decoded, if any (§13.4).</summary>
    public string? HelloCredential => _decoder?.HelloCredential;

    public override void ReadMessage(ReadOnlySpan<byte> message, IFrameSink sink, bool single = false)
        => (_decoder ??= new JsonFrameDecoder()).ReadMessage(message, sink, single);

    /// <summary>
    /// Bodies are never larger than their base64 form (<see cref="JsonBody"/>); header names and values
    /// may grow up to six times by escaping (<c>\u00XX</c>), which only REQUEST, RESPONSE and pub/sub
    /// frames carry.
    /// </summary>
    public override int EncodedLengthUpperBound(in OutgoingFrame frame)
    {
        if (frame.Payload is null)
        {
            return FrameOverhead;
        }

        return frame.Type == FrameType.Data
            ? FrameOverhead + JsonBody.Base64Length(frame.Length)
            : FrameOverhead + (6 * frame.Length);
    }

    public override void WriteFrame(PooledBufferWriter message, in OutgoingFrame frame, bool first)
    {
        if (first)
        {
            _objects = 0;
        }

        var encoder = _encoder ??= new JsonFrameEncoder();
        switch (frame.Type)
        {
            case FrameType.Window when frame.Payload is null:
                Separate(message);
                encoder.WriteWindow(message, frame.StreamId, (int)frame.Value);
                break;
            case FrameType.Cancel when frame.Payload is null:
                Separate(message);
                encoder.WriteCancel(message, frame.StreamId, (WsRestErrorCode)frame.Value);
                break;
            case FrameType.Ping or FrameType.Pong when frame.Payload is null:
                Separate(message);
                encoder.WritePing(message, frame.Type, frame.Value);
                break;
            case var _ when frame.IsRaw:
                // Already encoded as binary frames (ERROR, GOAWAY, pub/sub): transcode each.
                var raw = frame.Payload.AsSpan(0, frame.Length);
                while (!raw.IsEmpty && FrameCodec.TryReadFrame(raw, out var encoded, out var consumed))
                {
                    WriteFrame(message, encoded.Type, encoded.Flags, encoded.StreamId, encoded.Payload, first: false);
                    raw = raw[consumed..];
                }

                break;
            default:
                WriteFrame(message, frame.Type, frame.Flags, frame.StreamId, frame.PayloadSpan, first: false);
                break;
        }
    }

    public override void WriteFrame(PooledBufferWriter message, FrameType type, FrameFlags flags, ulong streamId, ReadOnlySpan<byte> payload, bool first)
    {
        if (first)
        {
            _objects = 0;
        }

        Separate(message);
        (_encoder ??= new JsonFrameEncoder()).Write(message, type, flags, streamId, payload);
    }

    /// <summary>
    /// One object goes alone; several become an array. The first byte of the message was reserved for
    /// the '[' so nothing has to move: a single object is sent from the byte after it.
    /// </summary>
    public override ReadOnlyMemory<byte> CompleteMessage(PooledBufferWriter message, int frames)
    {
        var objects = _objects;
        _objects = 0;
        if (objects <= 1)
        {
            return message.WrittenMemory[1..];
        }

        message.GetSpan(1)[0] = (byte)']';
        message.Advance(1);
        var written = MemoryMarshal.AsMemory(message.WrittenMemory);
        written.Span[0] = (byte)'[';
        return written;
    }

    private void Separate(PooledBufferWriter message)
    {
        var span = message.GetSpan(1);
        span[0] = _objects == 0 ? (byte)' ' : (byte)',';
        message.Advance(1);
        _objects++;
    }
}
