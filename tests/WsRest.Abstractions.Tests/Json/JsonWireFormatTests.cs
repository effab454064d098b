using System.Buffers;
using System.Text;
using WsRest.Engine;
using WsRest.Protocol;
using WsRest.Protocol.Json;

namespace WsRest.Abstractions.Tests.Json;

/// <summary>
/// The JSON transcoder (docs/protocol.md §13): the binary frames of §11 and §10.9 encode to the JSON of
/// §13.4 and §13.7, and every JSON object decodes back to a frame the engine reads the same way.
/// </summary>
public class JsonWireFormatTests
{
    [TestCase("0401010b01072f706574732f310300", """{"uid":1,"m":"GET","r":"/pets/1","h":[["accept","application/json"]]}""")]
    [TestCase("0501010c40c80e007b226964223a317d", """{"uid":1,"c":200,"h":[["content-type","application/json; charset=utf-8"]],"d":{"id":1}}""")]
    [TestCase("06010303616263", """{"t":"data","uid":3,"d":"abc","e":true}""")]
    [TestCase("0700000480080000", """{"t":"window","n":524288}""")]
    [TestCase("0800030105", """{"t":"cancel","uid":3,"code":5}""")]
    [TestCase("09000006010903627965", """{"t":"goaway","last":1,"code":9,"reason":"bye"}""")]
    [TestCase("0e0000050103626164", """{"t":"error","code":1,"reason":"bad"}""")]
    [TestCase("03000000", """{"t":"ready"}""")]
    [TestCase("0b00010e0c706574732f6372656174656400", """{"t":"sub","uid":1,"topic":"pets/created"}""")]
    [TestCase("0d000103002a00", """{"t":"ack","uid":1,"k":"subscribed","seq":42}""")]
    [TestCase("0a00011a2b106170706c69636174696f6e2f6a736f6e7b226964223a377d", """{"t":"event","uid":1,"seq":43,"ct":"application/json","d":{"id":7}}""")]
    [TestCase("0a0201022c32", """{"t":"gap","uid":1,"from":44,"to":50}""")]
    [TestCase("0b0005100c706574732f637265617465642b44d2", """{"t":"sub","uid":5,"topic":"pets/created","from":43,"epoch":1234}""")]
    [TestCase("0a08050244d2", """{"t":"epoch","uid":5,"epoch":1234}""")]
    [TestCase("0c000100", """{"t":"unsub","uid":1}""")]
    [TestCase("0d0005050300026e6f", """{"t":"ack","uid":5,"k":"refused","reason":"no"}""")]
    [TestCase("0a04031a0c636861742f67656e6572616c0a746578742f706c61696e6869", """{"t":"pub","uid":3,"topic":"chat/general","ct":"text/plain","d":"hi"}""")]
    [TestCase("0f0000080000000000000001", """{"t":"ping","p":"0000000000000001"}""")]
    public void GoldenFramesEncodeToTheSpecsJsonAndBack(string binaryHex, string json)
    {
        var binary = Convert.FromHexString(binaryHex);
        Assert.That(Encode(binary), Is.EqualTo(json));

        var frames = Decode(json);
        Assert.That(frames, Has.Count.EqualTo(1));
        FrameCodec.TryReadFrame(binary, out var expected, out _);
        var (type, flags, streamId, payload) = frames[0];
        Assert.That((type, flags, streamId), Is.EqualTo((expected.Type, expected.Flags, expected.StreamId)));
        if (type == FrameType.Request)
        {
            // JSON headers go as literals: the same head, in other bytes.
            var head = new RequestHead();
            head.Read(payload, int.MaxValue);
            Assert.That((head.Method, head.PathAndQuery, head.Headers.Single()), Is.EqualTo(("GET", "/pets/1", KeyValuePair.Create("accept", "application/json"))));
        }
        else if (type != FrameType.Response)
        {
            Assert.That(payload, Is.EqualTo(expected.Payload.ToArray()));
        }
    }

    [Test]
    public void HandshakeFramesRoundTrip()
    {
        var settings = new PeerSettings { MaxConcurrentStreams = 7, HeartbeatIntervalMs = 15000, PubSub = 1 };
        var helloPayload = new ArrayBufferWriter<byte>();
        new HelloFrame(1, settings, [KeyValuePair.Create("tenant", "acme"), KeyValuePair.Create("tenant", "b")], Enumerable.Range(0, 16).Select(i => (byte)i).ToArray()).Write(helloPayload);
        var json = Encode(Frame(FrameType.Hello, FrameFlags.None, 0, helloPayload.WrittenSpan));
        Assert.That(json, Is.EqualTo("""{"t":"hello","v":1,"s":{"mcs":7,"isw":262144,"icw":1048576,"mms":1048576,"mhl":65536,"hb":15000,"ps":1},"md":[["tenant","acme"],["tenant","b"]],"prev":"000102030405060708090a0b0c0d0e0f"}"""));
        Assert.That(Decode(json)[0].Payload, Is.EqualTo(helloPayload.WrittenSpan.ToArray()));

        var welcome = Decode("""{"t":"welcome","v":1,"id":"00112233445566778899aabbccddeeff","s":{"hb":15000,"ps":1}}""")[0];
        var read = WelcomeFrame.Read(welcome.Payload);
        Assert.That(Convert.ToHexStringLower(read.ConnectionId), Is.EqualTo("00112233445566778899aabbccddeeff"));
        Assert.That(read.Settings, Is.EqualTo(new PeerSettings { HeartbeatIntervalMs = 15000, PubSub = 1 }));
    }

    [Test]
    public void HelloCarriesItsCredentialOutsideTheFrame()
    {
        var format = new JsonWireFormat();
        var sink = new Sink();
        format.ReadMessage(Encoding.UTF8.GetBytes("""{"t":"hello","v":1,"auth":"Bearer abc"}"""), sink, single: true);
        Assert.That(format.HelloCredential, Is.EqualTo("Bearer abc"));
        Assert.That(HelloFrame.Read(sink.Frames[0].Payload, 4096).Metadata, Is.Empty);
    }

    [TestCase(new byte[] { 0, 1, 2, 255 }, "application/octet-stream", "\"d\":\"AAEC/w==\",\"de\":\"base64\"")]
    [TestCase(new byte[] { 0x22, 0x78, 0x22 }, "application/json", "\"d\":\"x\",\"de\":\"json\"")]
    [TestCase(new byte[] { 0x20, 0x7B, 0x7D }, "application/json", "\"d\":\" {}\"}")]
    [TestCase(new byte[] { 0x7B, 0x7D }, "application/problem+json; charset=utf-8", "\"d\":{}}")]
    [TestCase(new byte[] { 0x61, 0x0A, 0x22 }, "text/plain", "\"d\":\"a\\n\\\"\"}")]
    [TestCase(new byte[] { 0x68, 0x69 }, "", "\"d\":\"aGk=\",\"de\":\"base64\"")]
    public void BodiesTakeTheFormOfTheirContentTypeAndComeBackByteForByte(byte[] body, string contentType, string expected)
    {
        var payload = new ArrayBufferWriter<byte>();
        ResponseHead.WriteStart(payload, 200);
        if (contentType.Length > 0)
        {
            HeaderCodec.WriteHeader(payload, "content-type", contentType);
        }

        HeaderCodec.WriteEnd(payload);
        payload.Write(body);
        var json = Encode(Frame(FrameType.Response, FrameFlags.EndStream, 1, payload.WrittenSpan));
        Assert.That(json, Does.Contain(expected));

        var decoded = Decode(json)[0];
        var head = new ResponseHead();
        Assert.That(head.Read(decoded.Payload, int.MaxValue).ToArray(), Is.EqualTo(body));
    }

    [Test]
    public void SeveralFramesInOneMessageBecomeAnArray()
    {
        var format = new JsonWireFormat();
        using var message = new PooledBufferWriter(0);
        format.WriteFrame(message, OutgoingFrame.Window(0, 100), first: true);
        format.WriteFrame(message, OutgoingFrame.Cancel(3, WsRestErrorCode.Cancel), first: false);
        var text = Encoding.UTF8.GetString(format.CompleteMessage(message, 2).Span);
        Assert.That(text, Is.EqualTo("""[{"t":"window","n":100},{"t":"cancel","uid":3,"code":5}]"""));
        Assert.That(Decode(text).Select(f => f.Type), Is.EqualTo(new[] { FrameType.Window, FrameType.Cancel }));
    }

    [Test]
    public void ADataFrameNeverExceedsItsBound()
    {
        var random = new Random(14);
        var format = new JsonWireFormat();
        foreach (var length in new[] { 1, 2, 3, 100, 4096, 16 * 1024 })
        {
            foreach (var textual in new[] { true, false })
            {
                var data = new byte[length];
                if (textual)
                {
                    // Worst case for text: every byte escaped (quotes), still bounded by the base64 size.
                    Array.Fill(data, (byte)'"');
                }
                else
                {
                    random.NextBytes(data);
                }

                var array = BytePool.Rent(length);
                data.CopyTo(array, 0);
                var frame = OutgoingFrame.WithPayload(FrameType.Data, FrameFlags.EndStream, 1, array, length);
                using var message = new PooledBufferWriter(0);
                format.WriteFrame(message, frame, first: true);
                var bytes = format.CompleteMessage(message, 1);
                Assert.That(bytes.Length, Is.LessThanOrEqualTo(format.EncodedLengthUpperBound(frame)), $"{length} bytes, text: {textual}");
                Assert.That(Decode(Encoding.UTF8.GetString(bytes.Span))[0].Payload, Is.EqualTo(data));
                frame.ReturnPayload();
            }
        }
    }

    [Test]
    public void InvalidUtf8IsAProtocolError()
    {
        var error = Assert.Throws<WsRestProtocolException>(() => new JsonWireFormat().ReadMessage(new byte[] { (byte)'"', 0xC3, 0x28, (byte)'"' }, new Sink()));
        Assert.That(error!.ErrorCode, Is.EqualTo(WsRestErrorCode.ProtocolError));
        Assert.That(error.Message, Does.Contain("not valid UTF-8"));
    }

    [Test]
    public void AnEscapedMemberNameAndEscapedStringsDecode()
    {
        var frame = Decode("""{"\u0075id":1,"m":"G\u0045T","r":"/a\u00e9"}""")[0];
        var head = new RequestHead();
        head.Read(frame.Payload, int.MaxValue);
        Assert.That((frame.StreamId, head.Method, head.PathAndQuery), Is.EqualTo((1UL, "GET", "/aé")));
    }

    private static byte[] Frame(FrameType type, FrameFlags flags, ulong streamId, ReadOnlySpan<byte> payload)
    {
        var writer = new ArrayBufferWriter<byte>();
        FrameCodec.WriteFrame(writer, type, flags, streamId, payload);
        return writer.WrittenSpan.ToArray();
    }

    private static string Encode(byte[] binaryFrame)
    {
        FrameCodec.TryReadFrame(binaryFrame, out var frame, out _);
        var format = new JsonWireFormat();
        using var message = new PooledBufferWriter(0);
        format.WriteFrame(message, frame.Type, frame.Flags, frame.StreamId, frame.Payload, first: true);
        return Encoding.UTF8.GetString(format.CompleteMessage(message, 1).Span);
    }

    private static List<(FrameType Type, FrameFlags Flags, ulong StreamId, byte[] Payload)> Decode(string json)
    {
        var sink = new Sink();
        new JsonWireFormat().ReadMessage(Encoding.UTF8.GetBytes(json), sink);
        return sink.Frames;
    }

    private sealed class Sink : IFrameSink
    {
        public List<(FrameType Type, FrameFlags Flags, ulong StreamId, byte[] Payload)> Frames { get; } = [];

        public void OnFrame(in WsRest.Protocol.Frame frame) => Frames.Add((frame.Type, frame.Flags, frame.StreamId, frame.Payload.ToArray()));
    }
}
