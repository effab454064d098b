using System.Buffers;

namespace WsRest.Protocol;

/// <summary>Payload codecs for WINDOW, CANCEL, GOAWAY and ERROR (docs/protocol.md §6-§7).</summary>
internal static class ControlFrames
{
    /// <summary>Largest reason text accepted in GOAWAY and ERROR.</summary>
    public const int MaxReasonBytes = 1024;

    public static void WriteWindow(IBufferWriter<byte> writer, ulong streamId, int increment)
    {
        Span<byte> payload = stackalloc byte[8];
        var length = VarInt.Write(payload, (ulong)increment);
        FrameCodec.WriteFrame(writer, FrameType.Window, FrameFlags.None, streamId, payload[..length]);
    }

    public static int ReadWindow(ReadOnlySpan<byte> payload)
    {
        var reader = new PayloadReader(payload);
        var increment = reader.ReadVarInt();
        if (!reader.End)
        {
            throw PayloadReader.Malformed("trailing bytes after WINDOW");
        }

        if (increment is 0 or > int.MaxValue)
        {
            throw new WsRestProtocolException(WsRestErrorCode.FlowControlError, $"A WINDOW increment must be 1..{int.MaxValue}.");
        }

        return (int)increment;
    }

    public static void WriteCancel(IBufferWriter<byte> writer, ulong streamId, WsRestErrorCode code)
    {
        Span<byte> payload = stackalloc byte[8];
        var length = VarInt.Write(payload, (ulong)code);
        FrameCodec.WriteFrame(writer, FrameType.Cancel, FrameFlags.None, streamId, payload[..length]);
    }

    public static WsRestErrorCode ReadCancel(ReadOnlySpan<byte> payload)
    {
        var reader = new PayloadReader(payload);
        var code = reader.ReadVarInt();
        if (!reader.End)
        {
            throw PayloadReader.Malformed("trailing bytes after CANCEL");
        }

        return (WsRestErrorCode)Math.Min(code, int.MaxValue);
    }

    /// <summary>PING or PONG (§6.4): eight opaque bytes, echoed unchanged in the PONG.</summary>
    public static void WritePing(IBufferWriter<byte> writer, FrameType type, long opaque)
    {
        Span<byte> payload = stackalloc byte[8];
        System.Buffers.Binary.BinaryPrimitives.WriteInt64BigEndian(payload, opaque);
        FrameCodec.WriteFrame(writer, type, FrameFlags.None, 0, payload);
    }

    public static long ReadPing(ReadOnlySpan<byte> payload)
    {
        if (payload.Length != 8)
        {
            throw PayloadReader.Malformed("a PING or PONG payload is 8 bytes");
        }

        return System.Buffers.Binary.BinaryPrimitives.ReadInt64BigEndian(payload);
    }

    /// <summary>GOAWAY: the highest peer-initiated stream id the sender will still process, a code and a reason.</summary>
    public static void WriteGoAway(IBufferWriter<byte> writer, ulong lastStreamId, WsRestErrorCode code, string reason)
        => WriteCodeAndReason(writer, FrameType.GoAway, lastStreamId, code, reason, includeStreamId: true);

    public static (ulong LastStreamId, WsRestErrorCode Code, string Reason) ReadGoAway(ReadOnlySpan<byte> payload)
    {
        var reader = new PayloadReader(payload);
        var last = reader.ReadVarInt();
        var code = (WsRestErrorCode)Math.Min(reader.ReadVarInt(), int.MaxValue);
        var reason = reader.ReadString(MaxReasonBytes);
        if (!reader.End)
        {
            throw PayloadReader.Malformed("trailing bytes after GOAWAY");
        }

        return (last, code, reason);
    }

    public static void WriteError(IBufferWriter<byte> writer, WsRestErrorCode code, string reason)
        => WriteCodeAndReason(writer, FrameType.Error, 0, code, reason, includeStreamId: false);

    public static (WsRestErrorCode Code, string Reason) ReadError(ReadOnlySpan<byte> payload)
    {
        var reader = new PayloadReader(payload);
        var code = (WsRestErrorCode)Math.Min(reader.ReadVarInt(), int.MaxValue);
        var reason = reader.ReadString(MaxReasonBytes);
        if (!reader.End)
        {
            throw PayloadReader.Malformed("trailing bytes after ERROR");
        }

        return (code, reason);
    }

    private static void WriteCodeAndReason(IBufferWriter<byte> writer, FrameType type, ulong lastStreamId, WsRestErrorCode code, string reason, bool includeStreamId)
    {
        if (reason.Length > MaxReasonBytes / 4)
        {
            // Cut at a code point boundary so the reason stays valid UTF-8.
            var cut = MaxReasonBytes / 4;
            if (char.IsHighSurrogate(reason[cut - 1]))
            {
                cut--;
            }

            reason = reason[..cut];
        }

        var payload = new ArrayBufferWriter<byte>(64);
        if (includeStreamId)
        {
            VarInt.Write(payload, lastStreamId);
        }

        VarInt.Write(payload, (ulong)code);
        PayloadWriter.WriteString(payload, reason);
        FrameCodec.WriteFrame(writer, type, FrameFlags.None, 0, payload.WrittenSpan);
    }
}
