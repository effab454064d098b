using System.Buffers;

namespace WsRest.Protocol;

/// <summary>
/// Encodes and decodes the frame envelope: type (1 byte), flags (1 byte), stream id (varint),
/// payload length (varint), payload (docs/protocol.md §3). Pure: no I/O, no state.
/// </summary>
internal static class FrameCodec
{
    /// <summary>The largest envelope: type + flags + two 8-byte varints.</summary>
    public const int MaxHeaderLength = 18;

    public static int GetHeaderLength(ulong streamId, int payloadLength)
        => 2 + VarInt.GetLength(streamId) + VarInt.GetLength((ulong)payloadLength);

    public static int WriteHeader(Span<byte> destination, FrameType type, FrameFlags flags, ulong streamId, int payloadLength)
    {
        destination[0] = (byte)type;
        destination[1] = (byte)flags;
        var written = 2 + VarInt.Write(destination[2..], streamId);
        written += VarInt.Write(destination[written..], (ulong)payloadLength);
        return written;
    }

    public static void WriteHeader(IBufferWriter<byte> writer, FrameType type, FrameFlags flags, ulong streamId, int payloadLength)
    {
        var span = writer.GetSpan(MaxHeaderLength);
        writer.Advance(WriteHeader(span, type, flags, streamId, payloadLength));
    }

    public static void WriteFrame(IBufferWriter<byte> writer, FrameType type, FrameFlags flags, ulong streamId, ReadOnlySpan<byte> payload)
    {
        WriteHeader(writer, type, flags, streamId, payload.Length);
        writer.Write(payload);
    }

    /// <summary>
    /// Reads one frame from the start of <paramref name="source"/>. Frames never span WebSocket
    /// messages, so a caller holding a whole message treats <see langword="false"/> as a malformed message.
    /// </summary>
    public static bool TryReadFrame(ReadOnlySpan<byte> source, out Frame frame, out int consumed)
    {
        frame = default;
        consumed = 0;
        if (source.Length < 4)
        {
            return false;
        }

        var position = 2;
        if (!VarInt.TryRead(source[position..], out var streamId, out var length))
        {
            return false;
        }

        position += length;
        if (!VarInt.TryRead(source[position..], out var payloadLength, out length))
        {
            return false;
        }

        position += length;
        if (payloadLength > (ulong)(source.Length - position))
        {
            return false;
        }

        frame = new Frame((FrameType)source[0], (FrameFlags)source[1], streamId, source.Slice(position, (int)payloadLength));
        consumed = position + (int)payloadLength;
        return true;
    }
}
