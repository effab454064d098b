using System.Buffers;

namespace WsRest.Protocol;

/// <summary>
/// The compact header block (docs/protocol.md §5): a sequence of entries ended by 0x00. Entry 0x01 is
/// a literal name and value; an index of 2 or more refers to <see cref="StaticTable"/>.
/// </summary>
internal static class HeaderCodec
{
    // Vectorised: every header name of every request and response is checked (tchar, RFC 9110 §5.6.2).
    private static readonly SearchValues<char> TokenChars = SearchValues.Create("!#$%&'*+-.^_`|~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz");

    // Values longer than this are not kept: a cache entry must not pin a large cookie per thread.
    private const int MaxReusedValueLength = 128;

    // The last value decoded for each static-table name, per thread (the read loops decode on theirs).
    // Date, Content-Length, Content-Type, Server and the like repeat from head to head, and a repeated
    // value is then the same string, not a new one per request (SocketsHttpHandler reuses a
    // connection's last Date and Server strings the same way). Strings are immutable, so one kept here
    // may be shared by any connection that decodes the same bytes.
    [ThreadStatic]
    private static string?[]? t_lastValues;

    public const ulong EndOfBlock = 0;
    public const ulong Literal = 1;

    public static void WriteHeader(IBufferWriter<byte> writer, string name, string value)
    {
        var index = StaticTable.Find(name, value, out var valueIncluded);
        if (index == 0)
        {
            VarInt.Write(writer, Literal);
            PayloadWriter.WriteString(writer, name);
            PayloadWriter.WriteString(writer, value);
            return;
        }

        VarInt.Write(writer, (ulong)index);
        if (!valueIncluded)
        {
            PayloadWriter.WriteString(writer, value);
        }
    }

    public static void WriteEnd(IBufferWriter<byte> writer) => VarInt.Write(writer, EndOfBlock);

    /// <summary>
    /// Reads a header block into <paramref name="headers"/>. <paramref name="maxHeaderBytes"/> bounds the
    /// UTF-8 size of names plus values (as HTTP/2's SETTINGS_MAX_HEADER_LIST_SIZE). Past the limit the
    /// rest of the block is skipped, not decoded, and the method returns false: the frame stays
    /// well formed, so the caller can reset just that stream and still account for the body after it.
    /// </summary>
    public static bool ReadHeaders(ref PayloadReader reader, List<KeyValuePair<string, string>> headers, int maxHeaderBytes, int maxHeaderCount = int.MaxValue)
    {
        var total = 0;
        var withinLimit = true;
        while (true)
        {
            var code = reader.ReadVarInt();
            if (code == EndOfBlock)
            {
                return withinLimit;
            }

            if (!withinLimit)
            {
                Skip(ref reader, code);
                continue;
            }

            string name;
            string? value;
            if (code == Literal)
            {
                name = reader.ReadString(int.MaxValue, out var nameBytes);
                if (!IsToken(name))
                {
                    throw PayloadReader.Malformed("a header name is empty or not an HTTP token");
                }

                value = reader.ReadString(int.MaxValue, out var valueBytes);
                total += nameBytes + valueBytes;
            }
            else if (StaticTable.TryGetEntry(code, out name, out value))
            {
                // Static names and values are ASCII: their length is their byte count.
                if (value is null)
                {
                    value = ReadReusedValue(ref reader, code, out var valueBytes);
                    total += valueBytes;
                }
                else
                {
                    total += value.Length;
                }

                total += name.Length;
            }
            else
            {
                throw PayloadReader.Malformed($"header index {code} is not in the static table");
            }

            if (!IsValidValue(value))
            {
                throw PayloadReader.Malformed($"the value of header '{name}' contains CR, LF or NUL");
            }

            if (total > maxHeaderBytes || headers.Count >= maxHeaderCount)
            {
                withinLimit = false;
                continue;
            }

            headers.Add(new KeyValuePair<string, string>(name, value));
        }
    }

    private static string ReadReusedValue(ref PayloadReader reader, ulong index, out int byteLength)
    {
        var lastValues = t_lastValues ??= new string?[StaticTable.FirstIndex + StaticTable.Count];
        var value = reader.ReadString(lastValues[index], out byteLength);
        if (value.Length <= MaxReusedValueLength)
        {
            lastValues[index] = value;
        }

        return value;
    }

    private static void Skip(ref PayloadReader reader, ulong code)
    {
        if (code == Literal)
        {
            reader.SkipString();
            reader.SkipString();
        }
        else if (StaticTable.TryGetEntry(code, out _, out var value))
        {
            if (value is null)
            {
                reader.SkipString();
            }
        }
        else
        {
            throw PayloadReader.Malformed($"header index {code} is not in the static table");
        }
    }

    /// <summary>What a sender must check before encoding: receivers fail the connection on anything else.</summary>
    internal static bool IsValidHeader(string name, string value) => IsToken(name) && IsValidValue(value);

    /// <summary>RFC 9110 §5.6.2 token characters.</summary>
    internal static bool IsToken(string value) => value.Length > 0 && !value.AsSpan().ContainsAnyExcept(TokenChars);

    /// <summary>A field value may not carry CR, LF or NUL (RFC 9110 §5.5); they would allow header injection downstream.</summary>
    private static bool IsValidValue(string value) => value.AsSpan().IndexOfAny('\r', '\n', '\0') < 0;
}
