using System.Buffers;
using System.Buffers.Text;
using System.Text.Json;

namespace WsRest.Protocol.Json;

/// <summary>The binary payload of each frame type (docs/protocol.md §13.4 → §4–§10), written with the binary codecs.</summary>
internal sealed partial class JsonFrameDecoder
{
    private static readonly byte[][] s_methods = ["GET"u8.ToArray(), "POST"u8.ToArray(), "PUT"u8.ToArray(), "DELETE"u8.ToArray(), "PATCH"u8.ToArray(), "HEAD"u8.ToArray(), "OPTIONS"u8.ToArray(), "TRACE"u8.ToArray(), "CONNECT"u8.ToArray()];

    /// <summary>Writes the payload into the scratch buffer; returns the frame's stream id.</summary>
    private ulong WritePayload(FrameType type, FrameFlags flags, ReadOnlySpan<byte> message)
    {
        switch (type)
        {
            case FrameType.Request:
                WriteMethod(message);
                WriteStringField(JsonMember.R, message, required: true);
                WriteHeaders(message);
                WriteBody(message);
                return Integer(JsonMember.Uid);
            case FrameType.Response:
                VarInt.Write(_payload, Integer(JsonMember.C));
                WriteHeaders(message);
                WriteBody(message);
                return Integer(JsonMember.Uid);
            case FrameType.Data:
                WriteBody(message);
                return Integer(JsonMember.Uid);
            case FrameType.Window:
                VarInt.Write(_payload, Integer(JsonMember.N));
                return IntegerOr(JsonMember.Uid, 0);
            case FrameType.Cancel:
                VarInt.Write(_payload, Integer(JsonMember.Code));
                return Integer(JsonMember.Uid);
            case FrameType.GoAway:
                VarInt.Write(_payload, Integer(JsonMember.Last));
                VarInt.Write(_payload, Integer(JsonMember.Code));
                WriteStringField(JsonMember.Reason, message, required: false);
                return 0;
            case FrameType.Error:
                VarInt.Write(_payload, Integer(JsonMember.Code));
                WriteStringField(JsonMember.Reason, message, required: false);
                return 0;
            case FrameType.Ping or FrameType.Pong:
                WriteHex(JsonMember.P, message, 8);
                return 0;
            case FrameType.Subscribe:
                WriteStringField(JsonMember.Topic, message, required: true);
                VarInt.Write(_payload, IntegerOr(JsonMember.From, 0));
                if (IntegerOr(JsonMember.Epoch, 0) is var subscribedEpoch and not 0)
                {
                    // Validated (1 .. 2^53-1) by the binary decoder the engine runs on this frame.
                    VarInt.Write(_payload, subscribedEpoch);
                }

                return Integer(JsonMember.Uid);
            case FrameType.Unsubscribe:
                return Integer(JsonMember.Uid);
            case FrameType.Ack:
                VarInt.Write(_payload, (ulong)ParseAckKind(message));
                VarInt.Write(_payload, IntegerOr(JsonMember.Seq, 0));
                WriteStringField(JsonMember.Reason, message, required: false);
                return Integer(JsonMember.Uid);
            case FrameType.Event when (flags & PubSubFrames.Gap) != 0:
                VarInt.Write(_payload, Integer(JsonMember.From));
                VarInt.Write(_payload, Integer(JsonMember.To));
                return Integer(JsonMember.Uid);
            case FrameType.Event when (flags & PubSubFrames.Epoch) != 0:
                VarInt.Write(_payload, Integer(JsonMember.Epoch));
                return Integer(JsonMember.Uid);
            case FrameType.Event when (flags & PubSubFrames.Publish) != 0:
                WriteStringField(JsonMember.Topic, message, required: true);
                WriteStringField(JsonMember.Ct, message, required: false);
                WriteBody(message);
                return Integer(JsonMember.Uid);
            case FrameType.Event:
                VarInt.Write(_payload, Integer(JsonMember.Seq));
                WriteStringField(JsonMember.Ct, message, required: false);
                WriteBody(message);
                return Integer(JsonMember.Uid);
            case FrameType.Hello:
                WriteHello(message);
                return 0;
            case FrameType.Welcome:
                VarInt.Write(_payload, (ulong)Int32(JsonMember.V));
                WriteHex(JsonMember.Id, message, HelloFrame.ConnectionIdLength);
                ReadSettings(message).Write(_payload);
                return 0;
            default:
                // READY: empty payload.
                return 0;
        }
    }

    private void WriteHello(ReadOnlySpan<byte> message)
    {
        HelloCredential = StringOrNull(JsonMember.Auth, message);
        VarInt.Write(_payload, (ulong)Int32(JsonMember.V));
        ReadSettings(message).Write(_payload);
        if (!Has(JsonMember.Md))
        {
            VarInt.Write(_payload, 0);
        }
        else
        {
            var pairs = At(JsonMember.Md, message);
            VarInt.Write(_payload, (ulong)CountPairs(pairs, "md"));
            WritePairs(ref pairs, "md", static (_, _) => { });
        }

        if (Has(JsonMember.Prev))
        {
            WriteHex(JsonMember.Prev, message, HelloFrame.ConnectionIdLength, lengthPrefixed: true);
        }
        else
        {
            VarInt.Write(_payload, 0);
        }
    }

    /// <summary><c>s</c> (§13.4): integer members, absent ones taking the defaults of §4.3, unknown ones ignored.</summary>
    private PeerSettings ReadSettings(ReadOnlySpan<byte> message)
    {
        var settings = new PeerSettings();
        if (!Has(JsonMember.S))
        {
            return settings;
        }

        var reader = At(JsonMember.S, message);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var name = GetString(ref reader, "a setting name");
            if (!seen.Add(name))
            {
                throw Violation($"setting '{Shorten(name)}' appears twice in 's'");
            }

            reader.Read();
            if (name is not ("mcs" or "isw" or "icw" or "mms" or "mhl" or "hb" or "ps"))
            {
                reader.Skip();
                continue;
            }

            if (reader.TokenType != JsonTokenType.Number)
            {
                throw Violation($"setting '{name}' must be an integer, not a {Describe(reader.TokenType)}");
            }

            var raw = ParseInteger(ref reader, $"s.{name}");
            if (raw > int.MaxValue)
            {
                throw Violation($"setting '{name}' must be at most 2^31-1");
            }

            var value = (int)raw;
            settings = name switch
            {
                "mcs" => settings with { MaxConcurrentStreams = value },
                "isw" => settings with { InitialStreamWindow = value },
                "icw" => settings with { InitialConnectionWindow = value },
                "mms" => settings with { MaxMessageSize = value },
                "mhl" => settings with { MaxHeaderListSize = value },
                "hb" => settings with { HeartbeatIntervalMs = value },
                _ => settings with { PubSub = value },
            };
        }

        return settings;
    }

    private void WriteMethod(ReadOnlySpan<byte> message)
    {
        if (!Has(JsonMember.M))
        {
            throw Missing(JsonMember.M);
        }

        var reader = At(JsonMember.M, message);
        for (var i = 0; i < s_methods.Length; i++)
        {
            // Case-sensitive (§5.1): "get" is a literal method, as in the binary encoding.
            if (reader.ValueTextEquals(s_methods[i]))
            {
                VarInt.Write(_payload, (ulong)(i + 1));
                return;
            }
        }

        VarInt.Write(_payload, (ulong)MethodCodec.Literal);
        WriteStringField(ref reader, "m");
    }

    /// <summary><c>h</c> as a binary header block of literal entries (§5.2); the engine validates names and values.</summary>
    private void WriteHeaders(ReadOnlySpan<byte> message)
    {
        if (Has(JsonMember.H))
        {
            var reader = At(JsonMember.H, message);
            WritePairs(ref reader, "h", static (payload, _) => VarInt.Write(payload, HeaderCodec.Literal));
        }

        HeaderCodec.WriteEnd(_payload);
    }

    /// <summary>Walks <c>[[a, b], ...]</c>, writing each pair as two binary strings after <paramref name="beforePair"/>.</summary>
    private void WritePairs(ref Utf8JsonReader reader, string what, Action<IBufferWriter<byte>, int> beforePair)
    {
        var index = 0;
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            if (reader.TokenType != JsonTokenType.StartArray)
            {
                throw Violation($"'{what}' must be an array of [name, value] pairs; element {index} is a {Describe(reader.TokenType)}");
            }

            beforePair(_payload, index);
            for (var i = 0; i < 2; i++)
            {
                if (!reader.Read() || reader.TokenType != JsonTokenType.String)
                {
                    throw Violation($"'{what}' element {index} must be a pair of two strings");
                }

                WriteStringField(ref reader, what);
            }

            if (!reader.Read() || reader.TokenType != JsonTokenType.EndArray)
            {
                throw Violation($"'{what}' element {index} must be a pair of two strings");
            }

            index++;
        }
    }

    private static int CountPairs(Utf8JsonReader reader, string what)
    {
        var count = 0;
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            if (reader.TokenType != JsonTokenType.StartArray)
            {
                throw Violation($"'{what}' must be an array of [key, value] pairs");
            }

            reader.Skip();
            count++;
        }

        return count;
    }

    /// <summary><c>d</c>/<c>de</c> (§13.3) as body bytes appended to the payload.</summary>
    private void WriteBody(ReadOnlySpan<byte> message)
    {
        if (!Has(JsonMember.D))
        {
            if (Has(JsonMember.De))
            {
                throw Violation("'de' is given without 'd'");
            }

            return;
        }

        var reader = At(JsonMember.D, message);
        var isString = reader.TokenType == JsonTokenType.String;
        var encoding = JsonBodyEncoding.Json;
        if (Has(JsonMember.De))
        {
            var de = At(JsonMember.De, message);
            encoding = de.ValueTextEquals(JsonBody.Json) ? JsonBodyEncoding.Json
                : de.ValueTextEquals(JsonBody.Text) ? JsonBodyEncoding.Text
                : de.ValueTextEquals(JsonBody.Base64Name) ? JsonBodyEncoding.Base64
                : throw Violation($"'de' must be \"json\", \"text\" or \"base64\", not \"{Shorten(GetString(ref de, "de"))}\"");
        }
        else if (isString)
        {
            encoding = JsonBodyEncoding.Text;
        }

        if (encoding != JsonBodyEncoding.Json && !isString)
        {
            throw Violation($"'d' must be a string when 'de' is \"{(encoding == JsonBodyEncoding.Text ? "text" : "base64")}\"");
        }

        switch (encoding)
        {
            case JsonBodyEncoding.Json:
                // The value's exact source text (§13.3).
                var start = _start[(int)JsonMember.D];
                reader.Skip();
                _payload.Write(message.Slice(start, (int)reader.BytesConsumed));
                break;
            case JsonBodyEncoding.Text:
                var text = _payload.GetSpan(reader.ValueSpan.Length);
                _payload.Advance(reader.ValueIsEscaped ? CopyString(ref reader, text, "'d'") : CopyRaw(reader.ValueSpan, text));
                break;
            default:
                var encoded = _payload.GetSpan(reader.ValueSpan.Length);
                var length = reader.ValueIsEscaped ? CopyString(ref reader, encoded, "'d'") : CopyRaw(reader.ValueSpan, encoded);
                if (length % 4 != 0 || Base64.DecodeFromUtf8InPlace(encoded[..length], out var decoded) != OperationStatus.Done)
                {
                    throw Violation("'d' is not valid padded base64 (RFC 4648 §4)");
                }

                _payload.Advance(decoded);
                break;
        }
    }

    private static int CopyRaw(ReadOnlySpan<byte> source, Span<byte> destination)
    {
        source.CopyTo(destination);
        return source.Length;
    }

    private AckKind ParseAckKind(ReadOnlySpan<byte> message)
    {
        if (!Has(JsonMember.K))
        {
            throw Missing(JsonMember.K);
        }

        var reader = At(JsonMember.K, message);
        for (var kind = AckKind.Subscribed; kind <= AckKind.Refused; kind++)
        {
            if (reader.ValueTextEquals(JsonNames.AckKind(kind)))
            {
                return kind;
            }
        }

        throw Violation($"'k' must be \"subscribed\", \"unsubscribed\", \"published\" or \"refused\", not \"{Shorten(GetString(ref reader, "k"))}\"");
    }

    /// <summary>A hex string of exactly <paramref name="bytes"/> bytes (PING's <c>p</c>, connection ids).</summary>
    private void WriteHex(JsonMember member, ReadOnlySpan<byte> message, int bytes, bool lengthPrefixed = false)
    {
        var text = String(member, message);
        byte[] value;
        try
        {
            value = text.Length == bytes * 2 ? Convert.FromHexString(text) : [];
        }
        catch (FormatException)
        {
            value = [];
        }

        if (value.Length != bytes)
        {
            throw Violation($"'{JsonMembers.Name(member)}' must be {bytes * 2} hex digits");
        }

        if (lengthPrefixed)
        {
            VarInt.Write(_payload, (ulong)bytes);
        }

        _payload.Write(value);
    }

    private enum JsonBodyEncoding
    {
        Json,
        Text,
        Base64,
    }
}
