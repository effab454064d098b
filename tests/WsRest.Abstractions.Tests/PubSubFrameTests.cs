using System.Buffers;
using System.Text;
using WsRest.Protocol;

namespace WsRest.Abstractions.Tests;

/// <summary>
/// The pub/sub frames of docs/protocol.md §10: golden vectors (quoted verbatim in §10.9, checked by
/// <see cref="DocumentQuotesEveryPubSubVector"/>), round trips, malformed payloads, the PubSub setting
/// and the topic syntax.
/// </summary>
public class PubSubFrameTests
{
    // SUBSCRIBE 1 "pets/created", live only; ACK 1 Subscribed, last sequence 42; EVENT 1 #43 application/json {"id":7}; gap EVENT 1 44..50.
    public const string Subscribe = "0b00010e0c706574732f6372656174656400";
    public const string SubscribedAck = "0d000103002a00";
    public const string Delivery = "0a00011a2b106170706c69636174696f6e2f6a736f6e7b226964223a377d";
    public const string Gap = "0a0201022c32";

    // UNSUBSCRIBE 1; ACK 1 Unsubscribed; published EVENT 3 "chat/general" text/plain "hi"; ACK 3 Published #1; ACK 5 Refused "no".
    public const string Unsubscribe = "0c000100";
    public const string UnsubscribedAck = "0d000103010000";
    public const string Publish = "0a04031a" + "0c636861742f67656e6572616c" + "0a746578742f706c61696e" + "6869";
    public const string PublishedAck = "0d000303020100";
    public const string RefusedAck = "0d000505030002" + "6e6f";

    private static readonly string[] s_all = [Subscribe, SubscribedAck, Delivery, Gap, Unsubscribe, UnsubscribedAck, Publish, PublishedAck, RefusedAck];

    [Test]
    public void SubscribeBytes()
    {
        var message = Frame(FrameType.Subscribe, FrameFlags.None, 1, w => PubSubFrames.WriteSubscribe(w, "pets/created", 0));

        Assert.That(Bytes.ToHex(message), Is.EqualTo(Subscribe));
    }

    [Test]
    public void SubscribedAckBytes()
    {
        var message = Frame(FrameType.Ack, FrameFlags.None, 1, w => PubSubFrames.WriteAck(w, AckKind.Subscribed, 42, string.Empty));

        Assert.That(Bytes.ToHex(message), Is.EqualTo(SubscribedAck));
    }

    [Test]
    public void DeliveryBytes()
    {
        var message = Frame(FrameType.Event, FrameFlags.None, 1, w =>
        {
            PubSubFrames.WriteDeliveryHead(w, 43, "application/json");
            w.Write("{\"id\":7}"u8);
        });

        Assert.That(Bytes.ToHex(message), Is.EqualTo(Delivery));
    }

    [Test]
    public void GapBytes()
    {
        var message = Frame(FrameType.Event, PubSubFrames.Gap, 1, w => PubSubFrames.WriteGap(w, 44, 50));

        Assert.That(Bytes.ToHex(message), Is.EqualTo(Gap));
    }

    [Test]
    public void OtherPubSubFrameBytes()
    {
        Assert.That(Bytes.ToHex(Frame(FrameType.Unsubscribe, FrameFlags.None, 1, static _ => { })), Is.EqualTo(Unsubscribe));
        Assert.That(Bytes.ToHex(Frame(FrameType.Ack, FrameFlags.None, 1, w => PubSubFrames.WriteAck(w, AckKind.Unsubscribed, 0, string.Empty))), Is.EqualTo(UnsubscribedAck));
        Assert.That(
            Bytes.ToHex(Frame(FrameType.Event, PubSubFrames.Publish, 3, w =>
            {
                PubSubFrames.WritePublishHead(w, "chat/general", "text/plain");
                w.Write("hi"u8);
            })),
            Is.EqualTo(Publish));
        Assert.That(Bytes.ToHex(Frame(FrameType.Ack, FrameFlags.None, 3, w => PubSubFrames.WriteAck(w, AckKind.Published, 1, string.Empty))), Is.EqualTo(PublishedAck));
        Assert.That(Bytes.ToHex(Frame(FrameType.Ack, FrameFlags.None, 5, w => PubSubFrames.WriteAck(w, AckKind.Refused, 0, "no"))), Is.EqualTo(RefusedAck));
    }

    [Test]
    public void GoldenVectorsDecode()
    {
        var subscribe = Bytes.SingleFrame(Bytes.FromHex(Subscribe));
        Assert.That((subscribe.Type, subscribe.Flags, subscribe.StreamId), Is.EqualTo((FrameType.Subscribe, FrameFlags.None, 1UL)));
        Assert.That(PubSubFrames.ReadSubscribe(subscribe.Payload), Is.EqualTo(("pets/created", 0L)));

        var ack = Bytes.SingleFrame(Bytes.FromHex(SubscribedAck));
        Assert.That((ack.Type, ack.StreamId), Is.EqualTo((FrameType.Ack, 1UL)));
        Assert.That(PubSubFrames.ReadAck(ack.Payload), Is.EqualTo((AckKind.Subscribed, 42L, string.Empty)));

        var delivery = Bytes.SingleFrame(Bytes.FromHex(Delivery));
        Assert.That((delivery.Type, delivery.Flags, delivery.StreamId), Is.EqualTo((FrameType.Event, FrameFlags.None, 1UL)));
        var data = PubSubFrames.ReadDelivery(delivery.Payload, out var sequence, out var contentType).ToArray();
        Assert.That((sequence, contentType, Encoding.UTF8.GetString(data)), Is.EqualTo((43L, "application/json", "{\"id\":7}")));

        var gap = Bytes.SingleFrame(Bytes.FromHex(Gap));
        Assert.That((gap.Type, gap.Flags, gap.StreamId), Is.EqualTo((FrameType.Event, PubSubFrames.Gap, 1UL)));
        Assert.That(PubSubFrames.ReadGap(gap.Payload), Is.EqualTo((44L, 50L)));

        var publish = Bytes.SingleFrame(Bytes.FromHex(Publish));
        Assert.That((publish.Type, publish.Flags, publish.StreamId), Is.EqualTo((FrameType.Event, PubSubFrames.Publish, 3UL)));
        var published = PubSubFrames.ReadPublish(publish.Payload, out var topic, out var publishedType).ToArray();
        Assert.That((topic, publishedType, Encoding.UTF8.GetString(published)), Is.EqualTo(("chat/general", "text/plain", "hi")));

        Assert.That(PubSubFrames.ReadAck(Bytes.SingleFrame(Bytes.FromHex(RefusedAck)).Payload), Is.EqualTo((AckKind.Refused, 0L, "no")));
        Assert.That(Bytes.SingleFrame(Bytes.FromHex(Unsubscribe)).Payload, Is.Empty);
    }

    [Test]
    public void DocumentQuotesEveryPubSubVector()
    {
        var document = File.ReadAllText(FindProtocolDocument());

        foreach (var hex in s_all)
        {
            Assert.That(document, Does.Contain(hex), "docs/protocol.md must quote this vector verbatim");
        }
    }

    [TestCase("pets/created", 0L)]
    [TestCase("a", 1L)]
    [TestCase("stock/ACME.N/price_v2-x", 63L)]
    [TestCase("ticks", 64L)]
    [TestCase("ticks", 16384L)]
    [TestCase("ticks", 4611686018427387903L)]
    public void SubscribeRoundTrips(string topic, long from)
    {
        var payload = Bytes.Write(w => PubSubFrames.WriteSubscribe(w, topic, from));

        Assert.That(PubSubFrames.ReadSubscribe(payload), Is.EqualTo((topic, from)));
    }

    [Test]
    public void SubscribeWithTheLongestTopicRoundTrips()
    {
        var topic = new string('t', WsRestTopic.MaxLength);

        Assert.That(PubSubFrames.ReadSubscribe(Bytes.Write(w => PubSubFrames.WriteSubscribe(w, topic, 5))), Is.EqualTo((topic, 5L)));
    }

    // Kinds as numbers: AckKind is internal, and a public test method cannot take it.
    [TestCase(0, 0L, "")]
    [TestCase(0, 1000000L, "")]
    [TestCase(1, 0L, "")]
    [TestCase(2, 7L, "")]
    [TestCase(3, 0L, "Subscribing to 'secret' is not allowed for this connection.")]
    [TestCase(3, 0L, "\u00e9t\u00e9")]
    public void AckRoundTrips(int kindNumber, long sequence, string reason)
    {
        var kind = (AckKind)kindNumber;
        var payload = Bytes.Write(w => PubSubFrames.WriteAck(w, kind, sequence, reason));

        Assert.That(PubSubFrames.ReadAck(payload), Is.EqualTo((kind, sequence, reason)));
    }

    [Test]
    public void AckWritesANegativeSequenceAsZero()
    {
        var payload = Bytes.Write(w => PubSubFrames.WriteAck(w, AckKind.Subscribed, -5, string.Empty));

        Assert.That(PubSubFrames.ReadAck(payload).Sequence, Is.Zero);
    }

    [TestCase(1L, "application/json", 0)]
    [TestCase(64L, "application/octet-stream", 1)]
    [TestCase(4611686018427387903L, "", 5000)]
    public void DeliveryRoundTrips(long sequence, string contentType, int dataLength)
    {
        var data = Enumerable.Range(0, dataLength).Select(i => (byte)i).ToArray();
        var payload = Bytes.Write(w =>
        {
            PubSubFrames.WriteDeliveryHead(w, sequence, contentType);
            w.Write(data);
        });

        var decoded = PubSubFrames.ReadDelivery(payload, out var readSequence, out var readContentType).ToArray();

        Assert.That((readSequence, readContentType), Is.EqualTo((sequence, contentType)));
        Assert.That(decoded, Is.EqualTo(data));
    }

    [TestCase(1L, 1L)]
    [TestCase(1L, 1000L)]
    [TestCase(16384L, 4611686018427387903L)]
    public void GapRoundTrips(long from, long to)
    {
        Assert.That(PubSubFrames.ReadGap(Bytes.Write(w => PubSubFrames.WriteGap(w, from, to))), Is.EqualTo((from, to)));
    }

    [Test]
    public void PublishRoundTrips()
    {
        var data = "{\"text\":\"h\u00e9\"}"u8.ToArray();
        var payload = Bytes.Write(w =>
        {
            PubSubFrames.WritePublishHead(w, "chat/general", "application/json");
            w.Write(data);
        });

        var decoded = PubSubFrames.ReadPublish(payload, out var topic, out var contentType).ToArray();

        Assert.That((topic, contentType), Is.EqualTo(("chat/general", "application/json")));
        Assert.That(decoded, Is.EqualTo(data));
    }

    [Test]
    public void PublishWithAnEmptyPayloadRoundTrips()
    {
        var payload = Bytes.Write(w => PubSubFrames.WritePublishHead(w, "a/b", "text/plain"));

        Assert.That(PubSubFrames.ReadPublish(payload, out _, out _).IsEmpty, Is.True);
    }

    [TestCase("")]
    [TestCase("/pets")]
    [TestCase("pets/")]
    [TestCase("pets//created")]
    [TestCase("pets created")]
    [TestCase("pets/*")]
    [TestCase("pets/#")]
    [TestCase("caf\u00e9")]
    public void SubscribeToAnInvalidTopicIsAProtocolError(string topic)
    {
        var payload = Bytes.Write(w => PubSubFrames.WriteSubscribe(w, topic, 0));

        var error = ProtocolAssert.Throws(WsRestErrorCode.ProtocolError, () => PubSubFrames.ReadSubscribe(payload));
        Assert.That(error.Message, Does.Contain("not a valid topic"));
    }

    [Test]
    public void ATopicOneCharacterTooLongIsAProtocolError()
    {
        var payload = Bytes.Write(w => PubSubFrames.WriteSubscribe(w, new string('t', WsRestTopic.MaxLength + 1), 0));

        ProtocolAssert.Throws(WsRestErrorCode.ProtocolError, () => PubSubFrames.ReadSubscribe(payload));
    }

    [Test]
    public void ATopicStringOverItsByteLimitIsTooLargeBeforeItIsDecoded()
    {
        // 1024 bytes (4 x the 256-character limit) is the most the reader decodes.
        var payload = Bytes.Write(w =>
        {
            VarInt.Write(w, 1025);
            w.Write(new byte[1025]);
            VarInt.Write(w, 0);
        });

        ProtocolAssert.Throws(WsRestErrorCode.MessageTooLarge, () => PubSubFrames.ReadSubscribe(payload));
    }

    [Test]
    public void SubscribeWithTrailingBytesIsAProtocolError()
    {
        var payload = Bytes.Write(w =>
        {
            PubSubFrames.WriteSubscribe(w, "pets", 0);
            VarInt.Write(w, 0);
        });

        ProtocolAssert.Throws(WsRestErrorCode.ProtocolError, () => PubSubFrames.ReadSubscribe(payload));
    }

    [Test]
    public void SubscribeWithoutItsFromSequenceIsAProtocolError()
    {
        var payload = Bytes.Write(w => PayloadWriter.WriteString(w, "pets"));

        ProtocolAssert.Throws(WsRestErrorCode.ProtocolError, () => PubSubFrames.ReadSubscribe(payload));
        ProtocolAssert.Throws(WsRestErrorCode.ProtocolError, () => PubSubFrames.ReadSubscribe([]));
    }

    [Test]
    public void SubscribeWithATopicThatIsNotUtf8IsAProtocolError()
    {
        var payload = Bytes.Write(w =>
        {
            VarInt.Write(w, 2);
            w.Write(new byte[] { 0xC3, 0x28 });
            VarInt.Write(w, 0);
        });

        ProtocolAssert.Throws(WsRestErrorCode.ProtocolError, () => PubSubFrames.ReadSubscribe(payload));
    }

    [TestCase(4UL)]
    [TestCase(63UL)]
    public void AnUnknownAckKindIsAProtocolError(ulong kind)
    {
        var payload = Bytes.Write(w =>
        {
            VarInt.Write(w, kind);
            VarInt.Write(w, 0);
            PayloadWriter.WriteString(w, string.Empty);
        });

        ProtocolAssert.Throws(WsRestErrorCode.ProtocolError, () => PubSubFrames.ReadAck(payload));
    }

    [Test]
    public void AckWithTrailingBytesOrCutShortIsAProtocolError()
    {
        var trailing = Bytes.Write(w =>
        {
            PubSubFrames.WriteAck(w, AckKind.Subscribed, 1, string.Empty);
            VarInt.Write(w, 0);
        });

        ProtocolAssert.Throws(WsRestErrorCode.ProtocolError, () => PubSubFrames.ReadAck(trailing));
        ProtocolAssert.Throws(WsRestErrorCode.ProtocolError, () => PubSubFrames.ReadAck(Bytes.VarInts(0, 1)));
        ProtocolAssert.Throws(WsRestErrorCode.ProtocolError, () => PubSubFrames.ReadAck([]));
    }

    [Test]
    public void AckReasonOverTheReasonLimitIsTooLarge()
    {
        var payload = Bytes.Write(w => PubSubFrames.WriteAck(w, AckKind.Refused, 0, new string('r', ControlFrames.MaxReasonBytes + 1)));

        ProtocolAssert.Throws(WsRestErrorCode.MessageTooLarge, () => PubSubFrames.ReadAck(payload));
    }

    [Test]
    public void DeliveryWithSequenceZeroIsAProtocolError()
    {
        var payload = Bytes.Write(w => PubSubFrames.WriteDeliveryHead(w, 0, "application/json"));

        ProtocolAssert.Throws(WsRestErrorCode.ProtocolError, () => PubSubFrames.ReadDelivery(payload, out _, out _));
    }

    [Test]
    public void DeliveryCutShortIsAProtocolError()
    {
        ProtocolAssert.Throws(WsRestErrorCode.ProtocolError, () => PubSubFrames.ReadDelivery([], out _, out _));
        ProtocolAssert.Throws(WsRestErrorCode.ProtocolError, () => PubSubFrames.ReadDelivery(Bytes.VarInts(5), out _, out _));
        ProtocolAssert.Throws(WsRestErrorCode.ProtocolError, () => PubSubFrames.ReadDelivery(Bytes.VarInts(5, 10), out _, out _));
    }

    [Test]
    public void ContentTypeOverItsLimitIsTooLarge()
    {
        var contentType = new string('c', PubSubFrames.MaxContentTypeBytes + 1);
        var delivery = Bytes.Write(w => PubSubFrames.WriteDeliveryHead(w, 1, contentType));
        var publish = Bytes.Write(w => PubSubFrames.WritePublishHead(w, "a", contentType));

        ProtocolAssert.Throws(WsRestErrorCode.MessageTooLarge, () => PubSubFrames.ReadDelivery(delivery, out _, out _));
        ProtocolAssert.Throws(WsRestErrorCode.MessageTooLarge, () => PubSubFrames.ReadPublish(publish, out _, out _));
        Assert.That(
            PubSubFrames.ReadDelivery(Bytes.Write(w => PubSubFrames.WriteDeliveryHead(w, 1, contentType[1..])), out _, out var atLimit).IsEmpty,
            Is.True);
        Assert.That(atLimit, Has.Length.EqualTo(PubSubFrames.MaxContentTypeBytes));
    }

    [TestCase(0UL, 5UL)]
    [TestCase(0UL, 0UL)]
    [TestCase(7UL, 6UL)]
    public void AGapThatIsEmptyOrStartsBeforeOneIsAProtocolError(ulong from, ulong to)
    {
        var error = ProtocolAssert.Throws(WsRestErrorCode.ProtocolError, () => PubSubFrames.ReadGap(Bytes.VarInts(from, to)));
        Assert.That(error.Message, Does.Contain("gap range"));
    }

    [Test]
    public void GapWithTrailingBytesOrCutShortIsAProtocolError()
    {
        ProtocolAssert.Throws(WsRestErrorCode.ProtocolError, () => PubSubFrames.ReadGap(Bytes.VarInts(1, 2, 3)));
        ProtocolAssert.Throws(WsRestErrorCode.ProtocolError, () => PubSubFrames.ReadGap(Bytes.VarInts(1)));
        ProtocolAssert.Throws(WsRestErrorCode.ProtocolError, () => PubSubFrames.ReadGap([]));
    }

    [Test]
    public void PublishToAnInvalidTopicOrCutShortIsAProtocolError()
    {
        var invalid = Bytes.Write(w => PubSubFrames.WritePublishHead(w, "chat//general", "text/plain"));
        var noContentType = Bytes.Write(w => PayloadWriter.WriteString(w, "chat"));

        ProtocolAssert.Throws(WsRestErrorCode.ProtocolError, () => PubSubFrames.ReadPublish(invalid, out _, out _));
        ProtocolAssert.Throws(WsRestErrorCode.ProtocolError, () => PubSubFrames.ReadPublish(noContentType, out _, out _));
        ProtocolAssert.Throws(WsRestErrorCode.ProtocolError, () => PubSubFrames.ReadPublish([], out _, out _));
    }

    [Test]
    public void TheFlagsAreDistinctFromEndStream()
    {
        Assert.That((byte)PubSubFrames.Gap, Is.EqualTo(0x02));
        Assert.That((byte)PubSubFrames.Publish, Is.EqualTo(0x04));
        Assert.That(PubSubFrames.Gap & FrameFlags.EndStream, Is.EqualTo(FrameFlags.None));
        Assert.That(PubSubFrames.Publish & FrameFlags.EndStream, Is.EqualTo(FrameFlags.None));
    }

    [Test]
    public void ThePubSubSettingIsWrittenOnlyWhenOn()
    {
        var off = Bytes.Write(new PeerSettings().Write);
        var on = Bytes.Write(new PeerSettings { PubSub = 1 }.Write);

        Assert.That(off[0], Is.EqualTo(6), "six pairs: a peer without pub/sub sends exactly the v1 settings");
        Assert.That(on[0], Is.EqualTo(7));
        Assert.That(Bytes.ToHex(on), Is.EqualTo(Bytes.ToHex(off.AsSpan(1)).Insert(0, "07") + "0701"), "key 7 = 1 appended after the six");
        Assert.That(ReadSettings(on).PubSub, Is.EqualTo(1));
        Assert.That(ReadSettings(off).PubSub, Is.Zero, "absent means off");
    }

    [Test]
    public void APubSubSettingFromAnotherPeerIsReadAsItsValue()
    {
        // Pairs in any order, key 7 last wins, an unknown key 99 ignored.
        var bytes = Bytes.VarInts(3, 7, 0, 99, 5, 7, 1);

        Assert.That(ReadSettings(bytes), Is.EqualTo(new PeerSettings { PubSub = 1 }));
    }

    [TestCase("a", true)]
    [TestCase("pets/created", true)]
    [TestCase("pets/created.v2_x-y", true)]
    [TestCase("A/B/C/0/9/./_/-", true)]
    [TestCase("..", true)]
    [TestCase("Pets", true)]
    [TestCase("", false)]
    [TestCase(null, false)]
    [TestCase("/", false)]
    [TestCase("/pets", false)]
    [TestCase("pets/", false)]
    [TestCase("pets//created", false)]
    [TestCase("pets created", false)]
    [TestCase("pets/*", false)]
    [TestCase("pets/+", false)]
    [TestCase("pets/#", false)]
    [TestCase("pets\\created", false)]
    [TestCase("pets:created", false)]
    [TestCase("caf\u00e9", false)]
    [TestCase("\uff21", false)]
    [TestCase("pets\ncreated", false)]
    public void TopicSyntax(string? topic, bool valid)
    {
        Assert.That(WsRestTopic.IsValid(topic), Is.EqualTo(valid));
    }

    [Test]
    public void TopicLengthIsAtMost256Characters()
    {
        Assert.That(WsRestTopic.MaxLength, Is.EqualTo(256));
        Assert.That(WsRestTopic.IsValid(new string('a', 256)), Is.True);
        Assert.That(WsRestTopic.IsValid(new string('a', 257)), Is.False);
        Assert.That(WsRestTopic.IsValid(string.Join('/', Enumerable.Repeat("a", 128)) + "a"), Is.True, "256 characters in 128 segments");
    }

    [Test]
    public void ValidateNamesTheParameterAndTheSyntax()
    {
        var error = Assert.Throws<ArgumentException>(() => WsRestTopic.Validate("pets//created", "topic"));

        Assert.That(error!.ParamName, Is.EqualTo("topic"));
        Assert.That(error.Message, Does.Contain("not a valid topic").And.Contain(WsRestTopic.Syntax));
        Assert.DoesNotThrow(() => WsRestTopic.Validate("pets/created"));
    }

    private static PeerSettings ReadSettings(byte[] bytes)
    {
        var reader = new PayloadReader(bytes);
        var settings = PeerSettings.Read(ref reader);
        Assert.That(reader.End, Is.True);
        return settings;
    }

    private static byte[] Frame(FrameType type, FrameFlags flags, ulong streamId, Action<IBufferWriter<byte>> writePayload)
    {
        var payload = new ArrayBufferWriter<byte>();
        writePayload(payload);
        var message = new ArrayBufferWriter<byte>();
        FrameCodec.WriteFrame(message, type, flags, streamId, payload.WrittenSpan);
        return message.WrittenSpan.ToArray();
    }

    private static string FindProtocolDocument()
    {
        for (var directory = new DirectoryInfo(TestContext.CurrentContext.TestDirectory); directory is not null; directory = directory.Parent)
        {
            var candidate = Path.Combine(directory.FullName, "docs", "protocol.md");
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        Assert.Fail("docs/protocol.md was not found above " + TestContext.CurrentContext.TestDirectory);
        return string.Empty;
    }
}
