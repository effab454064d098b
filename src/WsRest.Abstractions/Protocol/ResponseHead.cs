using System.Buffers;

namespace WsRest.Protocol;

/// <summary>The head of a RESPONSE frame: status code and header block (docs/protocol.md §5.1).</summary>
internal sealed class ResponseHead
{
    public int StatusCode { get; set; }

    public List<KeyValuePair<string, string>> Headers { get; } = [];

    /// <summary>The header block exceeded the receiver's limit; <see cref="Headers"/> is incomplete and the stream must be reset.</summary>
    public bool HeadersTooLarge { get; private set; }

    public static void WriteStart(IBufferWriter<byte> writer, int statusCode)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(statusCode, 100);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(statusCode, 999);
        VarInt.Write(writer, (ulong)statusCode);
    }

    /// <summary>Decodes the head; returns the inline body that follows it.</summary>
    public ReadOnlySpan<byte> Read(ReadOnlySpan<byte> payload, int maxHeaderBytes, int maxHeaderCount = int.MaxValue)
    {
        var reader = new PayloadReader(payload);
        var status = reader.ReadVarInt();
        if (status is < 100 or > 999)
        {
            throw PayloadReader.Malformed($"status code {status} is out of range");
        }

        StatusCode = (int)status;
        HeadersTooLarge = !HeaderCodec.ReadHeaders(ref reader, Headers, maxHeaderBytes, maxHeaderCount);
        return reader.Remaining;
    }
}
