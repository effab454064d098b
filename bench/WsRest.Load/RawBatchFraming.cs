using System.Buffers;
using System.Buffers.Binary;

namespace WsRest.Load;

/// <summary>
/// The batching raw echo's records: WsRest's frame envelope (docs/protocol.md §3.1) without its meaning,
/// <c>[type u8][flags u8][id varint][payload length varint][payload]</c>, many back to back in one binary
/// message. Varints as in §3.5 (QUIC's: the first byte's top two bits give the length, 1, 2, 4 or 8 bytes).
/// A request's payload is empty (answered with <see cref="Payloads.SmallJson"/>) or echoed as it came.
/// </summary>
internal static class RawBatchFraming
{
    /// <summary>What WsRest's writer puts in one message before it sends (<c>PeerOptions.BatchSize</c>'s default).</summary>
    public const int BatchSize = 256 * 1024;

    /// <summary>The largest payload of one record (the echo endpoint's limit, as <see cref="RawEchoEndpoint"/>'s).</summary>
    public const int MaxPayload = 64 * 1024;

    /// <summary>A writer stops appending at <see cref="BatchSize"/>, so a message is at most that plus one whole record.</summary>
    public const int MaxMessage = BatchSize + MaxRecordOverhead + MaxPayload;

    private const int MaxRecordOverhead = 2 + 8 + 8;
    private const byte Type = 0x01;

    public static void Write(IBufferWriter<byte> message, uint id, ReadOnlySpan<byte> payload)
    {
        var span = message.GetSpan(MaxRecordOverhead + payload.Length);
        span[0] = Type;
        span[1] = 0;
        var written = 2;
        written += WriteVarInt(span[written..], id);
        written += WriteVarInt(span[written..], (uint)payload.Length);
        payload.CopyTo(span[written..]);
        message.Advance(written + payload.Length);
    }

    /// <summary>Reads the next record of <paramref name="message"/> and moves past it; false when the message is used up.</summary>
    /// <exception cref="InvalidDataException">A record is truncated or malformed.</exception>
    public static bool TryRead(ref ReadOnlySpan<byte> message, out uint id, out ReadOnlySpan<byte> payload)
    {
        id = 0;
        payload = default;
        if (message.IsEmpty)
        {
            return false;
        }

        if (message.Length < 4 || message[0] != Type)
        {
            throw new InvalidDataException("Malformed raw batch record.");
        }

        var read = 2;
        id = (uint)ReadVarInt(message, ref read);
        var length = ReadVarInt(message, ref read);
        if (length > MaxPayload || length > (ulong)(message.Length - read))
        {
            throw new InvalidDataException($"A raw batch record's payload length {length} runs past its message.");
        }

        payload = message.Slice(read, (int)length);
        message = message[(read + (int)length)..];
        return true;
    }

    private static int WriteVarInt(Span<byte> span, uint value)
    {
        switch (value)
        {
            case < (1u << 6):
                span[0] = (byte)value;
                return 1;
            case < (1u << 14):
                BinaryPrimitives.WriteUInt16BigEndian(span, (ushort)(value | 0x4000));
                return 2;
            case < (1u << 30):
                BinaryPrimitives.WriteUInt32BigEndian(span, value | 0x8000_0000);
                return 4;
            default:
                BinaryPrimitives.WriteUInt64BigEndian(span, value | 0xC000_0000_0000_0000);
                return 8;
        }
    }

    private static ulong ReadVarInt(ReadOnlySpan<byte> message, ref int offset)
    {
        if (offset >= message.Length)
        {
            throw new InvalidDataException("A raw batch record is truncated.");
        }

        var size = 1 << (message[offset] >> 6);
        if (offset + size > message.Length)
        {
            throw new InvalidDataException("A raw batch record is truncated.");
        }

        var bytes = message.Slice(offset, size);
        offset += size;
        return size switch
        {
            1 => bytes[0],
            2 => BinaryPrimitives.ReadUInt16BigEndian(bytes) & 0x3FFFu,
            4 => BinaryPrimitives.ReadUInt32BigEndian(bytes) & 0x3FFF_FFFFu,
            _ => BinaryPrimitives.ReadUInt64BigEndian(bytes) & 0x3FFF_FFFF_FFFF_FFFFul,
        };
    }
}
