using System.Buffers;
using System.Buffers.Text;
using System.Text.Json;
using System.Text.Unicode;
using WsRest.Engine;

namespace WsRest.Protocol.Json;

/// <summary>
/// Decodes a <c>wsrest.v1.json</c> text message (docs/protocol.md §13) into the binary frames it stands
/// for, re-encoding each payload with the binary codecs, so the engine validates and processes them
/// exactly as frames of <c>wsrest.v1</c>. Strict (§13.2): anything malformed is a
/// <see cref="WsRestProtocolException"/> naming what was wrong; unknown members are ignored.
/// Not thread-safe: one instance per reading loop or handshake step.
/// </summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1001", Justification = "The scratch buffer goes back to the pool at the end of every message; nothing is held between calls.")]
internal sealed partial class JsonFrameDecoder
{
    private const ulong MaxInteger = (1UL << 53) - 1;

    private static readonly JsonReaderOptions ReaderOptions = new() { MaxDepth = JsonBody.MaxMessageDepth };

    private readonly PooledBufferWriter _payload = new(0);
    private readonly int[] _start = new int[(int)JsonMember.Count];
    private readonly ulong[] _integer = new ulong[(int)JsonMember.Count];
    private ulong _present;
    private HashSet<string>? _unknownNames;

    /// <summary>The <c>auth</c> member of the last HELLO decoded (§13.4); never part of the binary frame.</summary>
    public string? HelloCredential { get; private set; }

    public void ReadMessage(ReadOnlySpan<byte> message, IFrameSink sink, bool single)
    {
        if (!Utf8.IsValid(message))
        {
            throw Violation("the message is not valid UTF-8");
        }

        try
        {
            var reader = new Utf8JsonReader(message, ReaderOptions);
            if (!reader.Read())
            {
                throw Violation("an empty message carries no frame");
            }

            if (reader.TokenType == JsonTokenType.StartObject)
            {
                DecodeObject(ref reader, message, sink);
            }
            else if (reader.TokenType == JsonTokenType.StartArray)
            {
                if (single)
                {
                    throw Violation("a handshake message is a single JSON object, never an array");
                }

                var count = 0;
                while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
                {
                    if (reader.TokenType != JsonTokenType.StartObject)
                    {
                        throw Violation(reader.TokenType == JsonTokenType.StartArray
                            ? "an array inside a message array (arrays do not nest)"
                            : $"a message array holds a {Describe(reader.TokenType)}; every element must be a frame object");
                    }

                    DecodeObject(ref reader, message, sink);
                    count++;
                }

                if (count == 0)
                {
                    throw Violation("an empty array carries no frame");
                }
            }
            else
            {
                throw Violation($"a message is a JSON object or an array of objects, not a {Describe(reader.TokenType)}");
            }

            // The reader rejects anything but whitespace after the top-level value (it throws).
            reader.Read();
        }
        catch (JsonException ex)
        {
            throw Violation($"malformed JSON ({ex.Message})");
        }
        finally
        {
            // Idle connections hold no scratch buffer, like the read loop's own receive buffer.
            _payload.Dispose();
        }
    }

    private void DecodeObject(ref Utf8JsonReader reader, ReadOnlySpan<byte> message, IFrameSink sink)
    {
        _present = 0;
        _unknownNames?.Clear();
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var member = JsonMembers.Identify(ref reader);
            if (member == JsonMember.Unknown)
            {
                var name = GetString(ref reader, "a member name");
                if (!(_unknownNames ??= new HashSet<string>(StringComparer.Ordinal)).Add(name))
                {
                    throw Violation($"member '{Shorten(name)}' appears twice in one object");
                }

                reader.Read();
                reader.Skip();
                continue;
            }

            var bit = 1UL << (int)member;
            if ((_present & bit) != 0)
            {
                throw Violation($"member '{JsonMembers.Name(member)}' appears twice in one object");
            }

            _present |= bit;
            reader.Read();
            Record(ref reader, member);
        }

        var (type, flags) = FrameTypeOf(message);
        _payload.Reset();
        var streamId = WritePayload(type, flags, message);
        if (type == FrameType.Request || type == FrameType.Response)
        {
            flags |= Boolean(JsonMember.E, message, defaultValue: true) ? FrameFlags.EndStream : FrameFlags.None;
        }
        else if (type == FrameType.Data)
        {
            flags |= Boolean(JsonMember.E, message, defaultValue: false) ? FrameFlags.EndStream : FrameFlags.None;
        }

        sink.OnFrame(new Frame(type, flags, streamId, _payload.WrittenSpan));
    }

    /// <summary>Checks the value's JSON type and keeps where it starts (integers are parsed at once).</summary>
    private void Record(ref Utf8JsonReader reader, JsonMember member)
    {
        _start[(int)member] = (int)reader.TokenStartIndex;
        var kind = JsonMembers.KindOf(member);
        var ok = kind switch
        {
            JsonMemberKind.String => reader.TokenType == JsonTokenType.String,
            JsonMemberKind.Integer => reader.TokenType == JsonTokenType.Number,
            JsonMemberKind.Boolean => reader.TokenType is JsonTokenType.True or JsonTokenType.False,
            JsonMemberKind.Array => reader.TokenType == JsonTokenType.StartArray,
            JsonMemberKind.Object => reader.TokenType == JsonTokenType.StartObject,
            _ => true,
        };
        if (!ok)
        {
            throw Violation($"member '{JsonMembers.Name(member)}' must be {Describe(kind)}, not a {Describe(reader.TokenType)}");
        }

        if (kind == JsonMemberKind.Integer)
        {
            _integer[(int)member] = ParseInteger(ref reader, JsonMembers.Name(member));
        }

        reader.Skip();
    }

    /// <summary>A JSON number without sign, fraction or exponent, at most 2^53-1 (§13.3).</summary>
    private static ulong ParseInteger(ref Utf8JsonReader reader, string name)
    {
        var digits = reader.ValueSpan;
        if (digits.Length > 16 || digits.ContainsAnyExceptInRange((byte)'0', (byte)'9')
            || !Utf8Parser.TryParse(digits, out ulong value, out _) || value > MaxInteger)
        {
            throw Violation($"member '{name}' must be an integer from 0 to 2^53-1, not {Shorten(System.Text.Encoding.UTF8.GetString(digits))}");
        }

        return value;
    }

    private (FrameType Type, FrameFlags Flags) FrameTypeOf(ReadOnlySpan<byte> message)
    {
        if (Has(JsonMember.T))
        {
            var reader = At(JsonMember.T, message);
            if (!JsonFrameKind.TryParse(ref reader, out var type, out var flags))
            {
                throw Violation($"unknown frame type t=\"{Shorten(GetString(ref reader, "t"))}\"");
            }

            return (type, flags);
        }

        var isRequest = Has(JsonMember.M);
        var isResponse = Has(JsonMember.C);
        if (isRequest == isResponse)
        {
            throw Violation(isRequest
                ? "an object without 't' has both 'm' and 'c': it is neither a request nor a response"
                : "an object without 't' needs 'm' (a request) or 'c' (a response)");
        }

        return isRequest ? (FrameType.Request, FrameFlags.None) : (FrameType.Response, FrameFlags.None);
    }

    private bool Has(JsonMember member) => (_present & (1UL << (int)member)) != 0;

    /// <summary>A reader positioned on the member's value (re-read from the message).</summary>
    private Utf8JsonReader At(JsonMember member, ReadOnlySpan<byte> message)
    {
        var reader = new Utf8JsonReader(message[_start[(int)member]..], ReaderOptions);
        reader.Read();
        return reader;
    }

    private ulong Integer(JsonMember member)
        => Has(member) ? _integer[(int)member] : throw Missing(member);

    private ulong IntegerOr(JsonMember member, ulong defaultValue)
        => Has(member) ? _integer[(int)member] : defaultValue;

    /// <summary>An integer that the binary frame holds as an <c>int</c> (§13.3: ≤ 2^31-1).</summary>
    private int Int32(JsonMember member, int? defaultValue = null)
    {
        if (!Has(member))
        {
            return defaultValue ?? throw Missing(member);
        }

        var value = _integer[(int)member];
        return value <= int.MaxValue ? (int)value : throw Violation($"member '{JsonMembers.Name(member)}' must be at most 2^31-1");
    }

    private bool Boolean(JsonMember member, ReadOnlySpan<byte> message, bool defaultValue)
        => Has(member) ? At(member, message).TokenType == JsonTokenType.True : defaultValue;

    private string String(JsonMember member, ReadOnlySpan<byte> message)
    {
        if (!Has(member))
        {
            throw Missing(member);
        }

        var reader = At(member, message);
        return GetString(ref reader, JsonMembers.Name(member));
    }

    private string? StringOrNull(JsonMember member, ReadOnlySpan<byte> message)
        => Has(member) ? String(member, message) : null;

    /// <summary>Writes the member's string as a binary <c>string</c> field (§3.6); absent = empty.</summary>
    private void WriteStringField(JsonMember member, ReadOnlySpan<byte> message, bool required)
    {
        if (!Has(member))
        {
            if (required)
            {
                throw Missing(member);
            }

            VarInt.Write(_payload, 0);
            return;
        }

        var reader = At(member, message);
        WriteStringField(ref reader, JsonMembers.Name(member));
    }

    private void WriteStringField(ref Utf8JsonReader reader, string what)
    {
        if (!reader.ValueIsEscaped)
        {
            VarInt.Write(_payload, (ulong)reader.ValueSpan.Length);
            _payload.Write(reader.ValueSpan);
            return;
        }

        var rented = BytePool.Rent(reader.ValueSpan.Length);
        try
        {
            var length = CopyString(ref reader, rented, what);
            VarInt.Write(_payload, (ulong)length);
            _payload.Write(rented.AsSpan(0, length));
        }
        finally
        {
            BytePool.Return(rented);
        }
    }

    /// <summary>Unescapes a string value; an escaped lone surrogate is not valid UTF-8 (§3.6).</summary>
    private static int CopyString(ref Utf8JsonReader reader, Span<byte> destination, string what)
    {
        try
        {
            return reader.CopyString(destination);
        }
        catch (InvalidOperationException)
        {
            throw Violation($"{what} holds an escaped lone surrogate, which is not valid UTF-8");
        }
    }

    private static string GetString(ref Utf8JsonReader reader, string what)
    {
        try
        {
            return reader.GetString()!;
        }
        catch (InvalidOperationException)
        {
            throw Violation($"{what} holds an escaped lone surrogate, which is not valid UTF-8");
        }
    }

    private static WsRestProtocolException Missing(JsonMember member)
        => Violation($"required member '{JsonMembers.Name(member)}' is missing");

    internal static WsRestProtocolException Violation(string what)
        => new(WsRestErrorCode.ProtocolError, $"Malformed wsrest.v1.json message: {what}.");

    private static string Shorten(string text) => text.Length > 40 ? text[..40] + "..." : text;

    private static string Describe(JsonTokenType token) => token switch
    {
        JsonTokenType.StartObject => "object",
        JsonTokenType.StartArray => "array",
        JsonTokenType.String => "string",
        JsonTokenType.Number => "number",
        JsonTokenType.True or JsonTokenType.False => "boolean",
        JsonTokenType.Null => "null",
        _ => token.ToString(),
    };

    private static string Describe(JsonMemberKind kind) => kind switch
    {
        JsonMemberKind.String => "a string",
        JsonMemberKind.Integer => "an integer",
        JsonMemberKind.Boolean => "true or false",
        JsonMemberKind.Array => "an array",
        JsonMemberKind.Object => "an object",
        _ => "a JSON value",
    };
}
