using System.Buffers;
using System.Text;

namespace WsRest.Protocol;

/// <summary>Field writers shared by the payload codecs.</summary>
internal static class PayloadWriter
{
    public static void WriteString(IBufferWriter<byte> writer, string value)
    {
        var byteCount = Encoding.UTF8.GetByteCount(value);
        VarInt.Write(writer, (ulong)byteCount);
        var span = writer.GetSpan(byteCount);
        Encoding.UTF8.GetBytes(value, span);
        writer.Advance(byteCount);
    }
}
