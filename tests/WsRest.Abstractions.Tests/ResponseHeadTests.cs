using System.Buffers;
using System.Text;
using WsRest.Protocol;

namespace WsRest.Abstractions.Tests;

public class ResponseHeadTests
{
    private const int Limit = 64 * 1024;

    [Test]
    public void ResponseWithHeadersAndInlineBodyRoundTrips()
    {
        var payload = Bytes.Write(writer =>
        {
            ResponseHead.WriteStart(writer, 201);
            HeaderCodec.WriteHeader(writer, "location", "/pets/7");
            HeaderCodec.WriteHeader(writer, "content-type", "application/json; charset=utf-8");
            HeaderCodec.WriteHeader(writer, "set-cookie", "a=1");
            HeaderCodec.WriteHeader(writer, "set-cookie", "b=2");
            HeaderCodec.WriteEnd(writer);
            writer.Write("{\"id\":7}"u8);
        });

        var head = new ResponseHead();
        var body = head.Read(payload, Limit).ToArray();

        Assert.That(head.StatusCode, Is.EqualTo(201));
        Assert.That(head.Headers, Is.EqualTo(new[]
        {
            new KeyValuePair<string, string>("location", "/pets/7"),
            new KeyValuePair<string, string>("content-type", "application/json; charset=utf-8"),
            new KeyValuePair<string, string>("set-cookie", "a=1"),
            new KeyValuePair<string, string>("set-cookie", "b=2"),
        }));
        Assert.That(Encoding.UTF8.GetString(body), Is.EqualTo("{\"id\":7}"));
    }

    [TestCase(200, "40c8")]
    [TestCase(404, "4194")]
    [TestCase(100, "4064")]
    [TestCase(999, "43e7")]
    public void StatusIsAVarInt(int status, string hex)
    {
        var payload = Head(status);

        Assert.That(Bytes.ToHex(payload), Is.EqualTo(hex + "00"));
        var head = new ResponseHead();
        head.Read(payload, Limit);
        Assert.That(head.StatusCode, Is.EqualTo(status));
        Assert.That(head.Headers, Is.Empty);
    }

    [TestCase(0UL)]
    [TestCase(99UL)]
    [TestCase(1000UL)]
    [TestCase(4611686018427387903UL)]
    public void StatusOutOfRangeIsAProtocolError(ulong status)
    {
        var payload = Bytes.VarInts(status, 0);

        ProtocolAssert.Throws(WsRestErrorCode.ProtocolError, () => new ResponseHead().Read(payload, Limit));
    }

    [Test]
    public void MissingEndOfHeaderBlockIsAProtocolError()
    {
        var payload = Bytes.VarInts(200);

        ProtocolAssert.Throws(WsRestErrorCode.ProtocolError, () => new ResponseHead().Read(payload, Limit));
    }

    [Test]
    public void HeaderBlockOverTheLimitIsFlagged()
    {
        var payload = Bytes.Write(writer =>
        {
            ResponseHead.WriteStart(writer, 200);
            HeaderCodec.WriteHeader(writer, "x-big", new string('v', 100));
            HeaderCodec.WriteEnd(writer);
        });
        var head = new ResponseHead();

        head.Read(payload, 50);

        Assert.That(head.HeadersTooLarge, Is.True);
        Assert.That(head.Headers, Is.Empty);
    }

    private static byte[] Head(int status) => Bytes.Write(writer =>
    {
        ResponseHead.WriteStart(writer, status);
        HeaderCodec.WriteEnd(writer);
    });
}
