using System.Buffers;

namespace WsRest.Protocol;

/// <summary>What an ACK acknowledges (docs/protocol.md §10.4).</summary>
internal enum AckKind
{
    Subscribed = 0,
    Unsubscribed = 1,
    Published = 2,
    Refused = 3,
}

/// <summary>
/// Codecs of the pub/sub frames (docs/protocol.md §10). The frame's stream id field carries the
/// subscription id (SUBSCRIBE, UNSUBSCRIBE, delivered EVENT, ACK) or the publish id (published EVENT,
/// its ACK); the two id spaces are told apart by the frame (and, for ACK, by its kind).
/// </summary>
internal static class PubSubFrames
{
    /// <summary>EVENT flag: this EVENT is a gap notice (events from..to were lost), not an event.</summary>
    public const FrameFlags Gap = (FrameFlags)0x02;

    /// <summary>EVENT flag: a client publishing (topic in the payload), not a delivery.</summary>
    public const FrameFlags Publish = (FrameFlags)0x04;

    /// <summary>
    /// EVENT flag: an epoch notice (docs/protocol.md §10.5): the topic's numbering is the one of this
    /// epoch from here on. Sent only to a client that announced <see cref="PubSubWithEpochs"/>.
    /// </summary>
    public const FrameFlags Epoch = (FrameFlags)0x08;

    /// <summary>The <c>PubSub</c> setting's value for pub/sub with epochs (§10.1): epoch notices, and an epoch in SUBSCRIBE.</summary>
    public const int PubSubWithEpochs = 2;

    /// <summary>Epochs are 1 .. 2^53 − 1, so a JSON peer represents every one exactly (§13.3).</summary>
    public const long MaxEpoch = (1L << 53) - 1;

    public const int MaxContentTypeBytes = 256;

    /// <summary>A new epoch: random, so a restarted server (or a backplane that lost its counters) never repeats one.</summary>
    public static long NewEpoch() => Random.Shared.NextInt64(1, MaxEpoch + 1);

    /// <summary>The frame types pub/sub owns (the pub/sub extension claims them on a connection).</summary>
    public static bool IsPubSubFrame(FrameType type) => type is FrameType.Event or FrameType.Subscribe or FrameType.Unsubscribe or FrameType.Ack;

    /// <summary>Every pub/sub frame names a subscription or publish id in its stream id field.</summary>
    public static ulong RequireId(in Frame frame)
        => frame.StreamId != 0 ? frame.StreamId : throw new WsRestProtocolException($"A {frame.Type.ToString().ToUpperInvariant()} frame needs a stream id.");

    // SUBSCRIBE: topic, resume-from sequence (0 = live events only), then, only towards a server that
    // announced PubSubWithEpochs and only when known, the epoch the from sequence belongs to.
    public static void WriteSubscribe(IBufferWriter<byte> writer, string topic, long fromSequence, long epoch = 0)
    {
        PayloadWriter.WriteString(writer, topic);
        VarInt.Write(writer, (ulong)fromSequence);
        if (epoch != 0)
        {
            VarInt.Write(writer, (ulong)epoch);
        }
    }

    public static (string Topic, long FromSequence) ReadSubscribe(ReadOnlySpan<byte> payload)
    {
        var (topic, from, _) = ReadSubscribeWithEpoch(payload);
        return (topic, from);
    }

    /// <summary>Decodes a SUBSCRIBE; its epoch is 0 when absent (a client without epochs, or one that knows none yet).</summary>
    public static (string Topic, long FromSequence, long Epoch) ReadSubscribeWithEpoch(ReadOnlySpan<byte> payload)
    {
        var reader = new PayloadReader(payload);
        var topic = ReadTopic(ref reader);
        var from = reader.ReadVarInt();
        var epoch = reader.End ? 0 : ReadEpochValue(ref reader);
        RequireEnd(reader, "SUBSCRIBE");
        return (topic, (long)Math.Min(from, long.MaxValue), epoch);
    }

    // Epoch notice (EVENT with the Epoch flag): the epoch.
    public static void WriteEpoch(IBufferWriter<byte> writer, long epoch) => VarInt.Write(writer, (ulong)epoch);

    public static long ReadEpoch(ReadOnlySpan<byte> payload)
    {
        var reader = new PayloadReader(payload);
        var epoch = ReadEpochValue(ref reader);
        RequireEnd(reader, "epoch EVENT");
        return epoch;
    }

    private static long ReadEpochValue(ref PayloadReader reader)
    {
        var epoch = reader.ReadVarInt();
        if (epoch is 0 or > MaxEpoch)
        {
            throw PayloadReader.Malformed($"epoch {epoch} is outside 1..2^53-1");
        }

        return (long)epoch;
    }

    // ACK: kind, sequence (Subscribed: the topic's last sequence; Published: the event's), reason.
    public static void WriteAck(IBufferWriter<byte> writer, AckKind kind, long sequence, string reason)
    {
        VarInt.Write(writer, (ulong)kind);
        VarInt.Write(writer, (ulong)Math.Max(sequence, 0));
        PayloadWriter.WriteString(writer, reason);
    }

    public static (AckKind Kind, long Sequence, string Reason) ReadAck(ReadOnlySpan<byte> payload)
    {
        var reader = new PayloadReader(payload);
        var kind = reader.ReadVarInt();
        if (kind > (ulong)AckKind.Refused)
        {
            throw PayloadReader.Malformed($"unknown ACK kind {kind}");
        }

        var sequence = reader.ReadVarInt();
        var reason = reader.ReadString(ControlFrames.MaxReasonBytes);
        RequireEnd(reader, "ACK");
        return ((AckKind)kind, (long)Math.Min(sequence, long.MaxValue), reason);
    }

    // Delivered EVENT: sequence, content type, data (rest of the payload).
    public static void WriteDeliveryHead(IBufferWriter<byte> writer, long sequence, string contentType)
    {
        VarInt.Write(writer, (ulong)sequence);
        PayloadWriter.WriteString(writer, contentType);
    }

    /// <summary>Decodes a delivered EVENT; returns its data.</summary>
    public static ReadOnlySpan<byte> ReadDelivery(ReadOnlySpan<byte> payload, out long sequence, out string contentType)
    {
        var reader = new PayloadReader(payload);
        var value = reader.ReadVarInt();
        if (value == 0)
        {
            throw PayloadReader.Malformed("event sequence numbers start at 1");
        }

        sequence = (long)Math.Min(value, long.MaxValue);
        contentType = reader.ReadString(MaxContentTypeBytes);
        return reader.Remaining;
    }

    // Gap notice (EVENT with the Gap flag): first and last missing sequence.
    public static void WriteGap(IBufferWriter<byte> writer, long from, long to)
    {
        VarInt.Write(writer, (ulong)from);
        VarInt.Write(writer, (ulong)to);
    }

    public static (long From, long To) ReadGap(ReadOnlySpan<byte> payload)
    {
        var reader = new PayloadReader(payload);
        var from = (long)Math.Min(reader.ReadVarInt(), long.MaxValue);
        var to = (long)Math.Min(reader.ReadVarInt(), long.MaxValue);
        RequireEnd(reader, "gap EVENT");
        if (from < 1 || to < from)
        {
            throw PayloadReader.Malformed($"gap range {from}..{to} is empty or starts before 1");
        }

        return (from, to);
    }

    // Published EVENT (client to server, Publish flag): topic, content type, data.
    public static void WritePublishHead(IBufferWriter<byte> writer, string topic, string contentType)
    {
        PayloadWriter.WriteString(writer, topic);
        PayloadWriter.WriteString(writer, contentType);
    }

    /// <summary>Decodes a published EVENT; returns its data.</summary>
    public static ReadOnlySpan<byte> ReadPublish(ReadOnlySpan<byte> payload, out string topic, out string contentType)
    {
        var reader = new PayloadReader(payload);
        topic = ReadTopic(ref reader);
        contentType = reader.ReadString(MaxContentTypeBytes);
        return reader.Remaining;
    }

    private static string ReadTopic(ref PayloadReader reader)
    {
        var topic = reader.ReadString(WsRestTopic.MaxLength * 4);
        if (!WsRestTopic.IsValid(topic))
        {
            throw PayloadReader.Malformed($"'{(topic.Length > 64 ? topic[..64] + "..." : topic)}' is not a valid topic ({WsRestTopic.Syntax})");
        }

        return topic;
    }

    private static void RequireEnd(PayloadReader reader, string frame)
    {
        if (!reader.End)
        {
            throw PayloadReader.Malformed($"trailing bytes after {frame}");
        }
    }
}
