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

    /// <summary>
    /// The head exceeded the receiver's limit; <see cref="Headers"/> is incomplete, so the request must not
    /// run: the stream is reset, or answered without running the app (an HTTP server: 414 or 431).
    /// </summary>
    public bool HeadersTooLarge { get; private set; }

    /// <summary>Within <see cref="HeadersTooLarge"/>: the method and target alone are over the limit (HTTP: 414, not 431).</summary>
    public bool RequestLineTooLarge { get; private set; }

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
        var headBytes = 0;
        if (code == MethodCodec.Literal)
        {
            // A literal method counts against MaxHeaderListSize like the target and the headers (§5.2).
            Method = reader.ReadString(int.MaxValue, out headBytes);
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

        PathAndQuery = reader.ReadString(int.MaxValue, out var targetBytes);
        if (PathAndQuery.Length == 0 || (PathAndQuery[0] != '/' && PathAndQuery != "*"))
        {
            throw PayloadReader.Malformed("the request target must start with '/'");
        }

        if (PathAndQuery.AsSpan().IndexOfAnyInRange('\0', ' ') >= 0 || PathAndQuery.Contains('\u007F', StringComparison.Ordinal))
        {
            throw PayloadReader.Malformed("the request target contains a space or a control character");
        }

        // UTF-8 bytes, as for header names and values: a non-ASCII target must not get more room.
        headBytes += targetBytes;
        var withinLimit = headBytes <= maxHeaderBytes
            && HeaderCodec.ReadHeaders(ref reader, Headers, maxHeaderBytes - headBytes, maxHeaderCount);
        if (!withinLimit && headBytes > maxHeaderBytes)
        {
            // Still read the block to its end, so the inline body after it is found (§12).
            HeaderCodec.ReadHeaders(ref reader, Headers, 0, 0);
            Headers.Clear();
        }

        HeadersTooLarge = !withinLimit;
        RequestLineTooLarge = headBytes > maxHeaderBytes;
        return reader.Remaining;
    }
}
