using System.Buffers;
using System.Text;
using WsRest.Protocol;

namespace WsRest.Abstractions.Tests;

public class RequestHeadTests
{
    private const int Limit = 64 * 1024;

    [Test]
    public void RequestWithHeadersAndInlineBodyRoundTrips()
    {
        var payload = Bytes.Write(writer =>
        {
            RequestHead.WriteStart(writer, "POST", "/pets?tag=a%20b&limit=10");
            HeaderCodec.WriteHeader(writer, "content-type", "application/json");
            HeaderCodec.WriteHeader(writer, "x-request-id", "42");
            HeaderCodec.WriteEnd(writer);
            writer.Write("{\"name\":\"Rex\"}"u8);
        });

        var head = new RequestHead();
        var body = head.Read(payload, Limit).ToArray();

        Assert.That(head.Method, Is.EqualTo("POST"));
        Assert.That(head.PathAndQuery, Is.EqualTo("/pets?tag=a%20b&limit=10"));
        Assert.That(head.Headers, Is.EqualTo(new[]
        {
            new KeyValuePair<string, string>("content-type", "application/json"),
            new KeyValuePair<string, string>("x-request-id", "42"),
        }));
        Assert.That(Encoding.UTF8.GetString(body), Is.EqualTo("{\"name\":\"Rex\"}"));
    }

    [TestCase("GET", 1)]
    [TestCase("POST", 2)]
    [TestCase("PUT", 3)]
    [TestCase("DELETE", 4)]
    [TestCase("PATCH", 5)]
    [TestCase("HEAD", 6)]
    [TestCase("OPTIONS", 7)]
    [TestCase("TRACE", 8)]
    [TestCase("CONNECT", 9)]
    public void CommonMethodsAreOneByteCodes(string method, int code)
    {
        var payload = Head(method, "/");

        Assert.That(payload[0], Is.EqualTo(code));
        Assert.That(MethodCodec.GetCode(method), Is.EqualTo(code));
        var head = new RequestHead();
        head.Read(payload, Limit);
        Assert.That(head.Method, Is.EqualTo(method));
    }

    [TestCase("PROPFIND")]
    [TestCase("get")]
    [TestCase("X-CUSTOM_1!")]
    public void OtherMethodsAreLiteralTokens(string method)
    {
        var payload = Head(method, "/x");

        Assert.That(Bytes.ToHex(payload.AsSpan(0, 2)), Is.EqualTo("00" + Bytes.ToHex([(byte)method.Length])));
        var head = new RequestHead();
        head.Read(payload, Limit);
        Assert.That(head.Method, Is.EqualTo(method));
        Assert.That(head.PathAndQuery, Is.EqualTo("/x"));
    }

    [TestCase("GE T")]
    [TestCase("GET/")]
    [TestCase("a:b")]
    [TestCase("caf\u00e9")]
    [TestCase("")]
    public void LiteralMethodThatIsNotATokenIsAProtocolError(string method)
    {
        var payload = Head(method, "/");

        ProtocolAssert.Throws(WsRestErrorCode.ProtocolError, () => new RequestHead().Read(payload, Limit));
    }

    [TestCase(10UL)]
    [TestCase(63UL)]
    [TestCase(1000UL)]
    public void UnknownMethodCodeIsAProtocolError(ulong code)
    {
        byte[] payload = [.. Bytes.VarInts(code), 0x01, (byte)'/', 0x00];

        ProtocolAssert.Throws(WsRestErrorCode.ProtocolError, () => new RequestHead().Read(payload, Limit));
    }

    [TestCase("pets/1")]
    [TestCase("")]
    [TestCase("http://example.com/pets")]
    [TestCase("**")]
    public void TargetNotStartingWithSlashIsAProtocolError(string target)
    {
        var payload = Head("GET", target);

        ProtocolAssert.Throws(WsRestErrorCode.ProtocolError, () => new RequestHead().Read(payload, Limit));
    }

    [Test]
    public void AsteriskTargetIsAccepted()
    {
        var head = new RequestHead();
        head.Read(Head("OPTIONS", "*"), Limit);

        Assert.That(head.PathAndQuery, Is.EqualTo("*"));
    }

    [Test]
    public void TargetLongerThanTheHeaderLimitIsFlaggedNotThrown()
    {
        var payload = Head("GET", "/" + new string('a', 200));
        var head = new RequestHead();

        var body = head.Read(payload, 100);

        Assert.That(head.HeadersTooLarge, Is.True);
        Assert.That(body.Length, Is.Zero, "the inline body is still located, so the receiver can account for it");
    }

    [Test]
    public void HeaderBlockOverTheLimitIsFlaggedAndTheInlineBodyFound()
    {
        var payload = Bytes.Write(writer =>
        {
            RequestHead.WriteStart(writer, "GET", "/");
            HeaderCodec.WriteHeader(writer, "x-a", new string('v', 60));
            HeaderCodec.WriteHeader(writer, "x-b", new string('v', 60));
            HeaderCodec.WriteEnd(writer);
            writer.Write("body"u8);
        });
        var head = new RequestHead();

        var body = head.Read(payload, 100);

        Assert.That(head.HeadersTooLarge, Is.True);
        Assert.That(body.ToArray(), Is.EqualTo("body"u8.ToArray()));
    }

    [Test]
    public void TruncatedHeadIsAProtocolError()
    {
        var payload = Head("GET", "/pets");

        ProtocolAssert.Throws(WsRestErrorCode.ProtocolError, () => new RequestHead().Read(payload.AsSpan(0, payload.Length - 1), Limit));
    }

    [Test]
    public void TargetIsCountedInUtf8BytesAgainstTheLimit()
    {
        var head = new RequestHead();

        head.Read(Head("GET", "/\u00e9"), 2);

        Assert.That(head.HeadersTooLarge, Is.True, "'/\u00e9' is 3 UTF-8 bytes");
    }

    [Test]
    public void LiteralMethodIsCountedAgainstTheLimit()
    {
        var head = new RequestHead();

        head.Read(Head("PROPFIND", "/"), 8);

        Assert.That(head.HeadersTooLarge, Is.True, "8 bytes of method plus 1 of target");
        Assert.That(new RequestHead().Read(Head("PROPFIND", "/"), 9).IsEmpty, Is.True);
    }

    [TestCase("/a b")]
    [TestCase("/a\r\nb")]
    [TestCase("/a\u0000")]
    [TestCase("/a\u007f")]
    public void TargetWithSpaceOrControlCharacterIsAProtocolError(string target)
    {
        ProtocolAssert.Throws(WsRestErrorCode.ProtocolError, () => new RequestHead().Read(Head("GET", target), Limit));
    }

    private static byte[] Head(string method, string target) => Bytes.Write(writer =>
    {
        RequestHead.WriteStart(writer, method, target);
        HeaderCodec.WriteEnd(writer);
    });
}
