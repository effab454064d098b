using System.Text;
using WsRest.Protocol;

namespace WsRest.Abstractions.Tests;

public class FrameCodecTests
{
    [Test]
    public void DataFrameRoundTrips()
    {
        var message = Bytes.Write(writer => FrameCodec.WriteFrame(writer, FrameType.Data, FrameFlags.EndStream, 5, "hello"u8));

        Assert.That(Bytes.ToHex(message), Is.EqualTo("060105" + "05" + "68656c6c6f"));
        var (type, flags, streamId, payload) = Bytes.SingleFrame(message);
        Assert.That(type, Is.EqualTo(FrameType.Data));
        Assert.That(flags, Is.EqualTo(FrameFlags.EndStream));
        Assert.That(streamId, Is.EqualTo(5UL));
        Assert.That(Encoding.ASCII.GetString(payload), Is.EqualTo("hello"));
    }

    [Test]
    public void EmptyPayloadFrameIsFourBytes()
    {
        var message = Bytes.Write(writer => FrameCodec.WriteFrame(writer, FrameType.Ready, FrameFlags.None, 0, []));

        Assert.That(Bytes.ToHex(message), Is.EqualTo("03000000"));
        Assert.That(FrameCodec.TryReadFrame(message, out var frame, out var consumed), Is.True);
        Assert.That(frame.Payload.Length, Is.EqualTo(0));
        Assert.That(frame.EndStream, Is.False);
        Assert.That(consumed, Is.EqualTo(4));
    }

    [TestCase(1UL, 0)]
    [TestCase(64UL, 64)]
    [TestCase(16384UL, 16384)]
    [TestCase(4611686018427387903UL, 70000)]
    public void LargeStreamIdsAndLengthsRoundTrip(ulong streamId, int payloadLength)
    {
        var payload = Enumerable.Range(0, payloadLength).Select(i => (byte)(i % 251)).ToArray();
        var message = Bytes.Write(writer => FrameCodec.WriteFrame(writer, FrameType.Data, FrameFlags.None, streamId, payload));

        Assert.That(message, Has.Length.EqualTo(FrameCodec.GetHeaderLength(streamId, payloadLength) + payloadLength));
        var (_, _, decodedId, decodedPayload) = Bytes.SingleFrame(message);
        Assert.That(decodedId, Is.EqualTo(streamId));
        Assert.That(decodedPayload, Is.EqualTo(payload));
    }

    [Test]
    public void HeaderLengthIsBetweenFourAndMaxHeaderLength()
    {
        Assert.That(FrameCodec.GetHeaderLength(0, 0), Is.EqualTo(4));
        Assert.That(FrameCodec.GetHeaderLength(VarInt.MaxValue, int.MaxValue), Is.EqualTo(FrameCodec.MaxHeaderLength));
    }

    [Test]
    public void SpanWriteHeaderReturnsTheEncodedLength()
    {
        Span<byte> buffer = stackalloc byte[FrameCodec.MaxHeaderLength];

        var written = FrameCodec.WriteHeader(buffer, FrameType.Request, FrameFlags.EndStream, 16384, 300);

        Assert.That(written, Is.EqualTo(FrameCodec.GetHeaderLength(16384, 300)));
        Assert.That(Bytes.ToHex(buffer[..written]), Is.EqualTo("0401" + "80004000" + "412c"));
    }

    [Test]
    public void SeveralFramesInOneMessageAreReadInOrder()
    {
        var message = Bytes.Write(writer =>
        {
            FrameCodec.WriteFrame(writer, FrameType.Data, FrameFlags.None, 1, "ab"u8);
            FrameCodec.WriteFrame(writer, FrameType.Data, FrameFlags.EndStream, 3, "c"u8);
            ControlFrames.WriteWindow(writer, 0, 1000);
        });

        ReadOnlySpan<byte> rest = message;
        Assert.That(FrameCodec.TryReadFrame(rest, out var first, out var consumed), Is.True);
        Assert.That((first.StreamId, first.EndStream, Encoding.ASCII.GetString(first.Payload)), Is.EqualTo((1UL, false, "ab")));
        rest = rest[consumed..];
        Assert.That(FrameCodec.TryReadFrame(rest, out var second, out consumed), Is.True);
        Assert.That((second.StreamId, second.EndStream, Encoding.ASCII.GetString(second.Payload)), Is.EqualTo((3UL, true, "c")));
        rest = rest[consumed..];
        Assert.That(FrameCodec.TryReadFrame(rest, out var third, out consumed), Is.True);
        Assert.That(third.Type, Is.EqualTo(FrameType.Window));
        Assert.That(ControlFrames.ReadWindow(third.Payload), Is.EqualTo(1000));
        Assert.That(consumed, Is.EqualTo(rest.Length));
    }

    [Test]
    public void EveryTruncationOfAFrameReturnsFalse()
    {
        var message = Bytes.Write(writer => FrameCodec.WriteFrame(writer, FrameType.Data, FrameFlags.None, 16384, new byte[100]));

        for (var length = 0; length < message.Length; length++)
        {
            Assert.That(FrameCodec.TryReadFrame(message.AsSpan(0, length), out _, out var consumed), Is.False, $"prefix of {length} bytes");
            Assert.That(consumed, Is.EqualTo(0));
        }
    }

    [Test]
    public void TruncatedStreamIdVarIntReturnsFalse()
    {
        // Four bytes, but the stream id claims 8 of them.
        Assert.That(FrameCodec.TryReadFrame(Bytes.FromHex("0600c000"), out _, out _), Is.False);
    }

    [Test]
    public void LengthPastTheEndReturnsFalse()
    {
        Assert.That(FrameCodec.TryReadFrame(Bytes.FromHex("060001 05 6162"), out _, out _), Is.False);
    }

    [Test]
    public void LengthBeyondInt32ReturnsFalseWithoutOverflow()
    {
        var message = Bytes.FromHex("060001 c0000000ffffffff 00");

        Assert.That(FrameCodec.TryReadFrame(message, out _, out var consumed), Is.False);
        Assert.That(consumed, Is.EqualTo(0));
    }

    [Test]
    public void CodecPassesUnknownTypesAndFlagsThroughForTheEngineToJudge()
    {
        var message = Bytes.FromHex("ff03" + "07" + "00");

        Assert.That(FrameCodec.TryReadFrame(message, out var frame, out _), Is.True);
        Assert.That((byte)frame.Type, Is.EqualTo(0xFF));
        Assert.That((byte)frame.Flags, Is.EqualTo(0x03));
        Assert.That(frame.EndStream, Is.True);
        Assert.That(frame.StreamId, Is.EqualTo(7UL));
    }

    [Test]
    public void FrameTypeValuesAreTheWireValues()
    {
        byte[] expected = [0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0A, 0x0B, 0x0C, 0x0D, 0x0E, 0x0F, 0x10];
        FrameType[] types =
        [
            FrameType.Hello, FrameType.Welcome, FrameType.Ready, FrameType.Request, FrameType.Response,
            FrameType.Data, FrameType.Window, FrameType.Cancel, FrameType.GoAway, FrameType.Event,
            FrameType.Subscribe, FrameType.Unsubscribe, FrameType.Ack, FrameType.Error, FrameType.Ping, FrameType.Pong,
        ];

        Assert.That(types.Select(t => (byte)t), Is.EqualTo(expected));
        Assert.That(Enum.GetValues<FrameType>(), Has.Length.EqualTo(expected.Length));
        Assert.That((byte)FrameFlags.EndStream, Is.EqualTo(0x01));
    }
}
