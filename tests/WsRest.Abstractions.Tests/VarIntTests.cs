using WsRest.Protocol;

namespace WsRest.Abstractions.Tests;

public class VarIntTests
{
    [TestCase(0UL, "00")]
    [TestCase(63UL, "3f")]
    [TestCase(64UL, "4040")]
    [TestCase(16383UL, "7fff")]
    [TestCase(16384UL, "80004000")]
    [TestCase(1073741823UL, "bfffffff")]
    [TestCase(1073741824UL, "c000000040000000")]
    [TestCase(4611686018427387903UL, "ffffffffffffffff")]
    public void BoundaryValuesUseTheShortestLengthAndRoundTrip(ulong value, string hex)
    {
        var expected = Bytes.FromHex(hex);
        Span<byte> buffer = stackalloc byte[8];

        var written = VarInt.Write(buffer, value);

        Assert.That(written, Is.EqualTo(expected.Length));
        Assert.That(VarInt.GetLength(value), Is.EqualTo(expected.Length));
        Assert.That(Bytes.ToHex(buffer[..written]), Is.EqualTo(hex));
        Assert.That(VarInt.TryRead(expected, out var decoded, out var consumed), Is.True);
        Assert.That(decoded, Is.EqualTo(value));
        Assert.That(consumed, Is.EqualTo(expected.Length));
    }

    [Test]
    public void BufferWriterOverloadWritesTheSameBytes()
    {
        var bytes = Bytes.Write(writer => VarInt.Write(writer, 16384));

        Assert.That(Bytes.ToHex(bytes), Is.EqualTo("80004000"));
    }

    // The examples of RFC 9000 Appendix A.1.
    [TestCase("c2197c5eff14e88c", 151288809941952652UL)]
    [TestCase("9d7f3e7d", 494878333UL)]
    [TestCase("7bbd", 15293UL)]
    [TestCase("25", 37UL)]
    [TestCase("4025", 37UL)]
    public void DecodesTheRfc9000Examples(string hex, ulong expected)
    {
        var bytes = Bytes.FromHex(hex);

        Assert.That(VarInt.TryRead(bytes, out var value, out var consumed), Is.True);
        Assert.That(value, Is.EqualTo(expected));
        Assert.That(consumed, Is.EqualTo(bytes.Length));
    }

    [Test]
    public void ReadsOnlyTheFirstVarIntOfLongerInput()
    {
        var bytes = Bytes.FromHex("4040 05");

        Assert.That(VarInt.TryRead(bytes, out var value, out var consumed), Is.True);
        Assert.That(value, Is.EqualTo(64UL));
        Assert.That(consumed, Is.EqualTo(2));
    }

    [TestCase("")]
    [TestCase("40")]
    [TestCase("8000")]
    [TestCase("800000")]
    [TestCase("c0000000000000")]
    public void TruncatedInputReturnsFalse(string hex)
    {
        var bytes = Bytes.FromHex(hex);

        Assert.That(VarInt.TryRead(bytes, out var value, out var consumed), Is.False);
        Assert.That(value, Is.EqualTo(0UL));
        Assert.That(consumed, Is.EqualTo(0));
    }

    [Test]
    public void ValuesAbove62BitsCannotBeEncoded()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => VarInt.GetLength(VarInt.MaxValue + 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => VarInt.Write(new byte[8], ulong.MaxValue));
    }
}
