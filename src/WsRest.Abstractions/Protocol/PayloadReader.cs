using System.Text;

namespace WsRest.Protocol;

/// <summary>
/// Cursor over a frame payload. Every read that runs past the end throws
/// <see cref="WsRestProtocolException"/>: a truncated payload is a malformed frame.
/// </summary>
internal ref struct PayloadReader
{
    private readonly ReadOnlySpan<byte> _source;
    private int _position;

    public PayloadReader(ReadOnlySpan<byte> source)
    {
        _source = source;
        _position = 0;
    }

    public readonly bool End => _position == _source.Length;

    public readonly ReadOnlySpan<byte> Remaining => _source[_position..];

    public ulong ReadVarInt()
    {
        if (!VarInt.TryRead(_source[_position..], out var value, out var consumed))
        {
            throw Malformed("a truncated varint");
        }

        _position += consumed;
        return value;
    }

    public int ReadInt32(string what)
    {
        var value = ReadVarInt();
        if (value > int.MaxValue)
        {
            throw Malformed($"{what} {value} out of range");
        }

        return (int)value;
    }

    public ReadOnlySpan<byte> ReadBytes(int count)
    {
        if (count > _source.Length - _position)
        {
            throw Malformed("a truncated field");
        }

        var span = _source.Slice(_position, count);
        _position += count;
        return span;
    }

    public string ReadString(int maxLength) => ReadString(maxLength, out _);

    /// <summary>Reads a length-prefixed UTF-8 string; <paramref name="byteLength"/> is its encoded size.</summary>
    public string ReadString(int maxLength, out int byteLength)
    {
        var length = ReadInt32("string length");
        byteLength = length;
        if (length > maxLength)
        {
            throw new WsRestProtocolException(WsRestErrorCode.MessageTooLarge, $"Malformed frame: a string of {length} bytes exceeds the limit of {maxLength}.");
        }

        return Decode(ReadBytes(length));
    }

    /// <summary>
    /// Reads a length-prefixed UTF-8 string, returning <paramref name="previous"/> itself when the bytes
    /// spell it (ASCII only): a value that repeats from frame to frame is then not allocated again.
    /// </summary>
    public string ReadString(string? previous, out int byteLength)
    {
        var length = ReadInt32("string length");
        byteLength = length;
        var bytes = ReadBytes(length);
        if (previous is not null && previous.Length == length && Ascii.Equals(bytes, previous))
        {
            return previous;
        }

        return Decode(bytes);
    }

    private static string Decode(ReadOnlySpan<byte> bytes)
    {
        try
        {
            return StrictUtf8.GetString(bytes);
        }
        catch (DecoderFallbackException ex)
        {
            throw new WsRestProtocolException(WsRestErrorCode.ProtocolError, "Malformed frame: a string is not valid UTF-8.", ex);
        }
    }

    /// <summary>Skips a length-prefixed string without decoding it; returns its byte length.</summary>
    public int SkipString()
    {
        var length = ReadInt32("string length");
        ReadBytes(length);
        return length;
    }

    public readonly int Position => _position;

    public static WsRestProtocolException Malformed(string detail)
        => new(WsRestErrorCode.ProtocolError, $"Malformed frame: {detail}.");

    internal static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);
}
