using System.Buffers;

namespace WsRest.Protocol;

/// <summary>
/// The head of a REQUEST frame: method, path and query, header block (docs/protocol.md §5.1). The
/// inline body, if any, is the rest of the payload. Scheme and authority are not sent: the receiver
/// takes them from the WebSocket's own upgrade request.
/// </summary>
internal sealed class RequestHead
{
    public string Method { get; set; } = "GET";

    public string PathAndQuery { get; set; } = "/";

    public List<KeyValuePair<string, string>> Headers { get; } = [];

    /// <summary>The header block exceeded the receiver's limit; <see cref="Headers"/> is incomplete and the stream must be reset.</summary>
    public bool HeadersTooLarge { get; private set; }

    public static void WriteStart(IBufferWriter<byte> writer, string method, string pathAndQuery)
    {
        var code = MethodCodec.GetCode(method);
        VarInt.Write(writer, (ulong)code);
        if (code == MethodCodec.Literal)
        {
            PayloadWriter.WriteString(writer, method);
        }

        PayloadWriter.WriteString(writer, pathAndQuery);
    }

    /// <summary>Decodes the head; returns the inline body that follows it.</summary>
    public ReadOnlySpan<byte> Read(ReadOnlySpan<byte> payload, int maxHeaderBytes, int maxHeaderCount = int.MaxValue)
    {
        var reader = new PayloadReader(payload);
        var code = reader.ReadVarInt();
        if (code == MethodCodec.Literal)
        {
            Method = reader.ReadString(int.MaxValue);
            if (!HeaderCodec.IsToken(Method))
            {
                throw PayloadReader.Malformed("the request method is not an HTTP token");
            }
        }
        else if (MethodCodec.TryGetMethod(code, out var method))
        {
            Method = method;
        }
        else
        {
            throw PayloadReader.Malformed($"unknown method code {code}");
        }

        PathAndQuery = reader.ReadString(int.MaxValue);
        if (PathAndQuery.Length == 0 || (PathAndQuery[0] != '/' && PathAndQuery != "*"))
        {
            throw PayloadReader.Malformed("the request target must start with '/'");
        }

        var withinLimit = HeaderCodec.ReadHeaders(ref reader, Headers, maxHeaderBytes - PathAndQuery.Length, maxHeaderCount);
        HeadersTooLarge = !withinLimit || PathAndQuery.Length > maxHeaderBytes;
        return reader.Remaining;
    }
}
