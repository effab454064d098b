using System.Buffers.Text;
using System.Text;

namespace WsRest.Redis.PubSub;

/// <summary>
/// An event as the publish script announces it on the topic's channel:
/// <c>e&lt;epoch&gt;:&lt;seq&gt;:&lt;content-type length&gt;:&lt;content type&gt;&lt;data&gt;</c>; a node of an earlier
/// version announces it without the <c>e&lt;epoch&gt;:</c> part (epoch 0, unknown). Events read from the
/// stream carry epoch 0 too: the stream belongs to the topic's current epoch.
/// </summary>
internal readonly record struct EventMessage(long Sequence, string ContentType, ReadOnlyMemory<byte> Data, long Epoch = 0)
{
    public static EventMessage Parse(ReadOnlyMemory<byte> message)
    {
        long epoch = 0;
        if (!message.IsEmpty && message.Span[0] == (byte)'e')
        {
            var end = message.Span.IndexOf((byte)':');
            if (end <= 1 || !Utf8Parser.TryParse(message.Span[1..end], out epoch, out var read) || read != end - 1)
            {
                throw new FormatException("A WsRest event notification from Redis has no valid epoch.");
            }

            message = message[(end + 1)..];
        }

        return ParseEvent(message) with { Epoch = epoch };
    }

    private static EventMessage ParseEvent(ReadOnlyMemory<byte> message)
    {
        var span = message.Span;
        var first = span.IndexOf((byte)':');
        if (first <= 0 || !Utf8Parser.TryParse(span[..first], out long sequence, out var used) || used != first)
        {
            throw new FormatException("A WsRest event notification from Redis does not start with its sequence number.");
        }

        var rest = span[(first + 1)..];
        var second = rest.IndexOf((byte)':');
        if (second <= 0 || !Utf8Parser.TryParse(rest[..second], out int length, out used) || used != second || length > rest.Length - second - 1)
        {
            throw new FormatException("A WsRest event notification from Redis has no valid content-type length.");
        }

        var start = first + 1 + second + 1;
        var contentType = Encoding.UTF8.GetString(span.Slice(start, length));
        return new EventMessage(sequence, contentType, message[(start + length)..]);
    }
}
