using WsRest.Engine;
using System.Buffers;
using System.Buffers.Text;
using System.Text.Json;
using System.Text.Unicode;

namespace WsRest.Protocol.Json;

/// <summary>
/// Body bytes as <c>d</c>/<c>de</c> (docs/protocol.md §13.3): a JSON value for a JSON content type, a
/// string for text, base64 for anything else. Written so the encoded size of a DATA payload never
/// exceeds its base64 size (the writer's batching bound, <see cref="JsonWireFormat"/>).
/// </summary>
internal static class JsonBody
{
    /// <summary>Deepest JSON accepted in a message: a body value sits two levels down (array, object).</summary>
    public const int MaxMessageDepth = 256;

    private const int MaxBodyDepth = MaxMessageDepth - 2;

    public static ReadOnlySpan<byte> Json => "json"u8;

    public static ReadOnlySpan<byte> Text => "text"u8;

    public static ReadOnlySpan<byte> Base64Name => "base64"u8;

    public static int Base64Length(int bytes) => (bytes + 2) / 3 * 4;

    /// <summary>
    /// Writes <c>d</c> (and <c>de</c> where the form is not implied) for a body; nothing for an empty one.
    /// <paramref name="contentType"/> is the head's or EVENT's content type, null for DATA, which has none.
    /// </summary>
    public static void Write(Utf8JsonWriter writer, ReadOnlySpan<byte> body, string? contentType)
    {
        if (body.IsEmpty)
        {
            return;
        }

        var isText = Utf8.IsValid(body);
        if (isText && contentType is not null && IsJsonContentType(contentType) && IsExactJsonValue(body))
        {
            writer.WritePropertyName("d"u8);
            writer.WriteRawValue(body, skipInputValidation: true);
            if (body[0] == (byte)'"')
            {
                // A string value alone would read as text (§13.3).
                writer.WriteString("de"u8, Json);
            }

            return;
        }

        var escaped = isText ? EscapedLength(body) : -1;
        // DATA (no content type) goes as text only when that is not longer than base64, which keeps the
        // batching bound; a text/* or JSON head body is text whenever it is UTF-8.
        var asText = isText && (contentType is null
            ? escaped <= Base64Length(body.Length)
            : contentType.StartsWith("text/", StringComparison.OrdinalIgnoreCase) || IsJsonContentType(contentType));
        if (asText)
        {
            WriteEscapedString(writer, body, escaped);
            return;
        }

        var length = Base64Length(body.Length);
        var rented = BytePool.Rent(length + 2);
        try
        {
            rented[0] = (byte)'"';
            Base64.EncodeToUtf8(body, rented.AsSpan(1), out _, out var written);
            rented[written + 1] = (byte)'"';
            writer.WritePropertyName("d"u8);
            writer.WriteRawValue(rented.AsSpan(0, written + 2), skipInputValidation: true);
            writer.WriteString("de"u8, Base64Name);
        }
        finally
        {
            BytePool.Return(rented);
        }
    }

    /// <summary><c>application/json</c> or any <c>+json</c> media type, parameters ignored.</summary>
    public static bool IsJsonContentType(string contentType)
    {
        var media = contentType.AsSpan();
        var semicolon = media.IndexOf(';');
        if (semicolon >= 0)
        {
            media = media[..semicolon];
        }

        media = media.Trim();
        return media.Equals("application/json", StringComparison.OrdinalIgnoreCase)
            || media.EndsWith("+json", StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>
    /// One JSON value with no whitespace around it: the receiver takes the value's source text as the
    /// body, so surrounding whitespace would be lost; such a body goes as text instead, byte for byte.
    /// </summary>
    private static bool IsExactJsonValue(ReadOnlySpan<byte> body)
    {
        if (IsJsonWhitespace(body[0]) || IsJsonWhitespace(body[^1]))
        {
            return false;
        }

        try
        {
            var reader = new Utf8JsonReader(body, new JsonReaderOptions { MaxDepth = MaxBodyDepth });
            if (!reader.Read())
            {
                return false;
            }

            reader.Skip();
            return !reader.Read();
        }
        catch (JsonException)
        {
            return false;
        }
    }

    private static bool IsJsonWhitespace(byte b) => b is (byte)' ' or (byte)'\t' or (byte)'\n' or (byte)'\r';

    /// <summary>Length of the JSON string's content once escaped the way <see cref="WriteEscapedString"/> does.</summary>
    private static int EscapedLength(ReadOnlySpan<byte> text)
    {
        var length = text.Length;
        foreach (var b in text)
        {
            if (b is (byte)'"' or (byte)'\\' or (byte)'\b' or (byte)'\f' or (byte)'\n' or (byte)'\r' or (byte)'\t')
            {
                length += 1;
            }
            else if (b < 0x20)
            {
                length += 5;
            }
        }

        return length;
    }

    /// <summary>
    /// A JSON string with the minimal escaping RFC 8259 requires (quote, backslash, control characters):
    /// every other UTF-8 character goes as is, so a body's size on the wire is predictable.
    /// </summary>
    private static void WriteEscapedString(Utf8JsonWriter writer, ReadOnlySpan<byte> text, int escapedLength)
    {
        var rented = BytePool.Rent(escapedLength + 2);
        try
        {
            var output = rented.AsSpan();
            var at = 0;
            output[at++] = (byte)'"';
            foreach (var b in text)
            {
                switch (b)
                {
                    case (byte)'"': output[at++] = (byte)'\\'; output[at++] = (byte)'"'; break;
                    case (byte)'\\': output[at++] = (byte)'\\'; output[at++] = (byte)'\\'; break;
                    case (byte)'\b': output[at++] = (byte)'\\'; output[at++] = (byte)'b'; break;
                    case (byte)'\f': output[at++] = (byte)'\\'; output[at++] = (byte)'f'; break;
                    case (byte)'\n': output[at++] = (byte)'\\'; output[at++] = (byte)'n'; break;
                    case (byte)'\r': output[at++] = (byte)'\\'; output[at++] = (byte)'r'; break;
                    case (byte)'\t': output[at++] = (byte)'\\'; output[at++] = (byte)'t'; break;
                    case < 0x20:
                        output[at++] = (byte)'\\';
                        output[at++] = (byte)'u';
                        output[at++] = (byte)'0';
                        output[at++] = (byte)'0';
                        output[at++] = (byte)"0123456789abcdef"[b >> 4];
                        output[at++] = (byte)"0123456789abcdef"[b & 0xF];
                        break;
                    default: output[at++] = b; break;
                }
            }

            output[at++] = (byte)'"';
            writer.WritePropertyName("d"u8);
            writer.WriteRawValue(output[..at], skipInputValidation: true);
        }
        finally
        {
            BytePool.Return(rented);
        }
    }
}
