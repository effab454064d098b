using System.Text;
using WsRest.Protocol;

namespace WsRest.Abstractions.Tests;

public class HeaderCodecTests
{
    private const int Limit = 64 * 1024;

    [Test]
    public void StaticFullMatchIsOneByte()
    {
        var bytes = Bytes.Write(writer => HeaderCodec.WriteHeader(writer, "accept", "application/json"));

        Assert.That(Bytes.ToHex(bytes), Is.EqualTo("03"));
    }

    [Test]
    public void StaticNameMatchIsCaseInsensitiveAndDecodesLowerCase()
    {
        var bytes = Bytes.Write(writer =>
        {
            HeaderCodec.WriteHeader(writer, "Content-Type", "text/plain; charset=utf-8");
            HeaderCodec.WriteEnd(writer);
        });

        Assert.That(Bytes.ToHex(bytes), Is.EqualTo("1000"));
        Assert.That(Read(bytes), Is.EqualTo(new[] { Header("content-type", "text/plain; charset=utf-8") }));
    }

    [Test]
    public void StaticValueMatchIsCaseSensitive()
    {
        var bytes = Bytes.Write(writer => HeaderCodec.WriteHeader(writer, "accept", "Application/JSON"));

        Assert.That(Bytes.ToHex(bytes), Is.EqualTo("02" + "10" + Bytes.ToHex("Application/JSON"u8)));
    }

    [Test]
    public void NameOnlyIndexIsFollowedByALiteralValue()
    {
        var bytes = Bytes.Write(writer => HeaderCodec.WriteHeader(writer, "authorization", "Bearer x"));

        Assert.That(Bytes.ToHex(bytes), Is.EqualTo("07" + "08" + Bytes.ToHex("Bearer x"u8)));
    }

    [Test]
    public void NameWithValueEntriesButOtherValueUsesTheNameOnlyIndex()
    {
        var bytes = Bytes.Write(writer => HeaderCodec.WriteHeader(writer, "accept", "text/html"));

        Assert.That(Bytes.ToHex(bytes), Is.EqualTo("02" + "09" + Bytes.ToHex("text/html"u8)));
    }

    [Test]
    public void UnknownNameIsALiteralNameAndValue()
    {
        var bytes = Bytes.Write(writer => HeaderCodec.WriteHeader(writer, "x-custom", "1"));

        Assert.That(Bytes.ToHex(bytes), Is.EqualTo("01" + "08" + Bytes.ToHex("x-custom"u8) + "01" + "31"));
    }

    [Test]
    public void NameThatHasOnlyAFullEntryFallsBackToALiteralForOtherValues()
    {
        // x-content-type-options has only the entry "nosniff" (48) and no name-only entry.
        var bytes = Bytes.Write(writer => HeaderCodec.WriteHeader(writer, "x-content-type-options", "other"));

        Assert.That(bytes[0], Is.EqualTo(0x01));
        Assert.That(Read([.. bytes, 0x00]), Is.EqualTo(new[] { Header("x-content-type-options", "other") }));
    }

    [Test]
    public void MultiValuedHeadersKeepEveryValueInOrder()
    {
        var headers = new[]
        {
            Header("set-cookie", "a=1"),
            Header("x-tag", "one"),
            Header("set-cookie", "b=2"),
            Header("x-tag", "two"),
        };

        var bytes = Encode(headers);

        Assert.That(Read(bytes), Is.EqualTo(headers));
    }

    [Test]
    public void MixedBlockRoundTripsAndLeavesTheBodyUnread()
    {
        var headers = new[]
        {
            Header("accept", "*/*"),
            Header("content-type", "application/json"),
            Header("content-length", "8"),
            Header("x-request-id", "abc"),
            Header("x-emoji", "caf\u00e9 \U0001F600"),
            Header("x-empty", string.Empty),
        };
        byte[] bytes = [.. Encode(headers), .. "{\"id\":1}"u8];

        var reader = new PayloadReader(bytes);
        var decoded = new List<KeyValuePair<string, string>>();
        HeaderCodec.ReadHeaders(ref reader, decoded, Limit);

        Assert.That(decoded, Is.EqualTo(headers));
        Assert.That(Encoding.UTF8.GetString(reader.Remaining), Is.EqualTo("{\"id\":1}"));
    }

    [Test]
    public void EmptyBlockIsOneZeroByte()
    {
        var bytes = Bytes.Write(HeaderCodec.WriteEnd);

        Assert.That(Bytes.ToHex(bytes), Is.EqualTo("00"));
        Assert.That(Read(bytes), Is.Empty);
    }

    [Test]
    public void UnknownStaticIndexIsAProtocolError()
    {
        var firstUnused = (ulong)(StaticTable.FirstIndex + StaticTable.Count);
        var bytes = Bytes.VarInts(firstUnused, 0);

        ProtocolAssert.Throws(WsRestErrorCode.ProtocolError, () => Read(bytes));
    }

    [Test]
    public void LastStaticIndexIsKnown()
    {
        var last = (ulong)(StaticTable.FirstIndex + StaticTable.Count - 1);
        byte[] bytes = [.. Bytes.VarInts(last), 0x01, (byte)'x', 0x00];

        Assert.That(Read(bytes), Is.EqualTo(new[] { Header("baggage", "x") }));
    }

    [Test]
    public void EmptyLiteralNameIsAProtocolError()
    {
        var bytes = Bytes.FromHex("01 00 01 78 00");

        ProtocolAssert.Throws(WsRestErrorCode.ProtocolError, () => Read(bytes));
    }

    [Test]
    public void MissingEndOfBlockIsAProtocolError()
    {
        var bytes = Bytes.Write(writer => HeaderCodec.WriteHeader(writer, "x-custom", "1"));

        ProtocolAssert.Throws(WsRestErrorCode.ProtocolError, () => Read(bytes));
    }

    [Test]
    public void TruncatedLiteralValueIsAProtocolError()
    {
        var bytes = Bytes.FromHex("01 01 78 05 6162");

        ProtocolAssert.Throws(WsRestErrorCode.ProtocolError, () => Read(bytes));
    }

    [Test]
    public void InvalidUtf8IsAProtocolError()
    {
        var bytes = Bytes.FromHex("01 01 78 02 c328 00");

        var ex = ProtocolAssert.Throws(WsRestErrorCode.ProtocolError, () => Read(bytes));
        Assert.That(ex.InnerException, Is.InstanceOf<DecoderFallbackException>());
    }

    [Test]
    public void BlockOverTheLimitIsReportedAndSkipped()
    {
        // Each "accept: application/json" entry (index 3) counts 6 + 16 = 22 towards the limit.
        var four = Bytes.FromHex("03030303 00");
        var five = Bytes.FromHex("0303030303 00");

        Assert.That(Read(four, maxHeaderBytes: 100), Has.Count.EqualTo(4));
        Assert.That(ReadOverLimit(five, maxHeaderBytes: 100), Has.Count.EqualTo(4), "decoding stops adding at the limit but reads to the end of the block");
    }

    [Test]
    public void BlockExactlyAtTheLimitIsAccepted()
    {
        var bytes = Encode([Header("x-a", new string('v', 47))]);

        Assert.That(Read(bytes, maxHeaderBytes: 50), Has.Count.EqualTo(1));
        Assert.That(ReadOverLimit(bytes, maxHeaderBytes: 49), Is.Empty);
    }

    [Test]
    public void HeadersAfterTheLimitAreSkippedWithoutDecoding()
    {
        // The second entry crosses the limit; the third has invalid UTF-8 but, past the limit, is skipped undecoded.
        var bytes = Bytes.FromHex("01 03 782d61 05 7676767676  01 03 782d62 02 7676  01 03 782d63 02 c328  00");

        Assert.That(ReadOverLimit(bytes, maxHeaderBytes: 8), Has.Count.EqualTo(1));
    }

    [Test]
    public void LimitCountsUtf8BytesNotCharacters()
    {
        // "x" + ten "é" (two UTF-8 bytes each) is 21 bytes but 11 characters.
        var bytes = Encode([Header("x", new string('\u00e9', 10))]);

        Assert.That(Read(bytes, maxHeaderBytes: 21), Has.Count.EqualTo(1));
        Assert.That(ReadOverLimit(bytes, maxHeaderBytes: 20), Is.Empty);
    }

    [Test]
    public void ValueWithCrLfIsAProtocolError()
    {
        var bytes = Bytes.FromHex("01 01 61 04 780d0a79 00");

        ProtocolAssert.Throws(WsRestErrorCode.ProtocolError, () => Read(bytes));
    }

    [Test]
    public void NameThatIsNotATokenIsAProtocolError()
    {
        var bytes = Bytes.FromHex("01 03 612062 01 78 00");

        ProtocolAssert.Throws(WsRestErrorCode.ProtocolError, () => Read(bytes));
    }

    [Test]
    public void ARepeatedValueOfAStaticNameIsTheSameStringAndADifferentOneIsDecodedAfresh()
    {
        var date = Read(Encode([Header("date", "Tue, 08 Dec 2026 02:22:09 GMT")]))[0].Value;
        var again = Read(Encode([Header("date", "Tue, 08 Dec 2026 02:22:09 GMT")]))[0].Value;
        var next = Read(Encode([Header("date", "Tue, 08 Dec 2026 02:22:10 GMT")]))[0].Value;

        Assert.That(again, Is.SameAs(date), "the value the last head of this thread carried is reused");
        Assert.That(next, Is.EqualTo("Tue, 08 Dec 2026 02:22:10 GMT"));
        Assert.That(Read(Encode([Header("date", "Tue, 08 Dec 2026 02:22:09 GMT")]))[0].Value, Is.Not.SameAs(date), "only the last value is kept");
    }

    [Test]
    public void NonAsciiAndLongValuesAreDecodedEveryTime()
    {
        var long1 = Read(Encode([Header("authorization", new string('a', 200))]))[0].Value;
        var long2 = Read(Encode([Header("authorization", new string('a', 200))]))[0].Value;
        var utf1 = Read(Encode([Header("content-disposition", "attachment; filename=\"é.txt\"")]))[0].Value;
        var utf2 = Read(Encode([Header("content-disposition", "attachment; filename=\"é.txt\"")]))[0].Value;

        Assert.That(long2, Is.EqualTo(long1).And.Not.SameAs(long1), "a value over 128 characters is not kept");
        Assert.That(utf2, Is.EqualTo("attachment; filename=\"é.txt\"").And.Not.SameAs(utf1), "only ASCII is compared");
    }

    private static KeyValuePair<string, string> Header(string name, string value) => new(name, value);

    private static byte[] Encode(IEnumerable<KeyValuePair<string, string>> headers) => Bytes.Write(writer =>
    {
        foreach (var (name, value) in headers)
        {
            HeaderCodec.WriteHeader(writer, name, value);
        }

        HeaderCodec.WriteEnd(writer);
    });

    private static List<KeyValuePair<string, string>> Read(byte[] block, int maxHeaderBytes = Limit)
    {
        var reader = new PayloadReader(block);
        var headers = new List<KeyValuePair<string, string>>();
        Assert.That(HeaderCodec.ReadHeaders(ref reader, headers, maxHeaderBytes), Is.True, "within the limit");
        Assert.That(reader.End, Is.True, "the block is consumed up to and including its end marker");
        return headers;
    }

    private static List<KeyValuePair<string, string>> ReadOverLimit(byte[] block, int maxHeaderBytes)
    {
        var reader = new PayloadReader(block);
        var headers = new List<KeyValuePair<string, string>>();
        Assert.That(HeaderCodec.ReadHeaders(ref reader, headers, maxHeaderBytes), Is.False, "over the limit");
        Assert.That(reader.End, Is.True, "the whole block is consumed even past the limit");
        return headers;
    }
}
