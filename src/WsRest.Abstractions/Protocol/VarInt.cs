using System.Buffers;
using System.Buffers.Binary;

namespace WsRest.Protocol;

/// <summary>
/// Variable-length integers as in QUIC (RFC 9000 §16): the two high bits of the first byte give the
/// length (1, 2, 4 or 8 bytes), the rest is the value in network byte order. Chosen over LEB128
/// because the length is known from the first byte, so decoding never loops.
/// </summary>
internal static class VarInt
{
    public const ulong MaxValue = (1UL << 62) - 1;

    public static int GetLength(ulong value) => value switch
    {
        <= 63 => 1,
        <= 16383 => 2,
        <= 1073741823 => 4,
        <= MaxValue => 8,
        _ => throw new ArgumentOutOfRangeException(nameof(value), value, "A varint holds at most 2^62-1."),
    };

    public static int Write(Span<byte> destination, ulong value)
    {
        switch (GetLength(value))
        {
            case 1:
                destination[0] = (byte)value;
                return 1;
            case 2:
                BinaryPrimitives.WriteUInt16BigEndian(destination, (ushort)(value | 0x4000));
                return 2;
            case 4:
                BinaryPrimitives.WriteUInt32BigEndian(destination, (uint)value | 0x8000_0000);
                return 4;
            default:
                BinaryPrimitives.WriteUInt64BigEndian(destination, value | 0xC000_0000_0000_0000);
                return 8;
        }
    }

    public static void Write(IBufferWriter<byte> writer, ulong value)
    {
        var span = writer.GetSpan(8);
        writer.Advance(Write(span, value));
    }

    /// <summary>Reads a varint; returns false when <paramref name="source"/> is too short.</summary>
    public static bool TryRead(ReadOnlySpan<byte> source, out ulong value, out int consumed)
    {
        if (source.IsEmpty)
        {
            value = 0;
            consumed = 0;
            return false;
        }

        consumed = 1 << (source[0] >> 6);
        if (source.Length < consumed)
        {
            value = 0;
            consumed = 0;
            return false;
        }

        value = consumed switch
        {
            1 => source[0],
            2 => BinaryPrimitives.ReadUInt16BigEndian(source) & 0x3FFFu,
            4 => BinaryPrimitives.ReadUInt32BigEndian(source) & 0x3FFF_FFFFu,
            _ => BinaryPrimitives.ReadUInt64BigEndian(source) & 0x3FFF_FFFF_FFFF_FFFFUL,
        };
        return true;
    }
}
