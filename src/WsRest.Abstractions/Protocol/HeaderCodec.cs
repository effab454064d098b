using System.Buffers;

namespace WsRest.Protocol;

/// <summary>
/// The compact header block (docs/protocol.md §5): a sequence of entries ended by 0x00. Entry 0x01 is
/// a literal name and value; an index of 2 or more refers to <see cref="StaticTable"/>.
/// </summary>
internal static class HeaderCodec
{
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
    /// Reads a header block into <paramref name="headers"/>. <paramref name="maxHeaderBytes"/> bounds
    /// the decoded size (names plus values, as in HTTP/2's SETTINGS_MAX_HEADER_LIST_SIZE).
    /// </summary>
    public static void ReadHeaders(ref PayloadReader reader, List<KeyValuePair<string, string>> headers, int maxHeaderBytes)
    {
        var total = 0;
        while (true)
        {
            var code = reader.ReadVarInt();
            string name;
            string? value;
            if (code == EndOfBlock)
            {
                return;
            }

            if (code == Literal)
            {
                name = reader.ReadString(maxHeaderBytes);
                value = reader.ReadString(maxHeaderBytes);
                if (name.Length == 0)
                {
                    throw PayloadReader.Malformed("an empty header name");
                }
            }
            else if (StaticTable.TryGetEntry(code, out name, out value))
            {
                value ??= reader.ReadString(maxHeaderBytes);
            }
            else
            {
                throw PayloadReader.Malformed($"header index {code} is not in the static table");
            }

            total += name.Length + value.Length;
            if (total > maxHeaderBytes)
            {
                throw new WsRestProtocolException(WsRestErrorCode.MessageTooLarge, $"The header block exceeds the limit of {maxHeaderBytes} bytes.");
            }

            headers.Add(new KeyValuePair<string, string>(name, value));
        }
    }
}
