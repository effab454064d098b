using WsRest.Protocol;

namespace WsRest.Abstractions.Tests;

public class ControlFrameTests
{
    [TestCase(0UL, 1)]
    [TestCase(3UL, 65536)]
    [TestCase(5UL, int.MaxValue)]
    public void WindowRoundTrips(ulong streamId, int increment)
    {
        var (type, flags, id, payload) = Bytes.SingleFrame(Bytes.Write(writer => ControlFrames.WriteWindow(writer, streamId, increment)));

        Assert.That(type, Is.EqualTo(FrameType.Window));
        Assert.That(flags, Is.EqualTo(FrameFlags.None));
        Assert.That(id, Is.EqualTo(streamId));
        Assert.That(ControlFrames.ReadWindow(payload), Is.EqualTo(increment));
    }

    [TestCase(0UL)]
    [TestCase(2147483648UL)]
    [TestCase(4611686018427387903UL)]
    public void WindowIncrementOutOfRangeIsAFlowControlError(ulong increment)
    {
        var payload = Bytes.VarInts(increment);

        ProtocolAssert.Throws(WsRestErrorCode.FlowControlError, () => ControlFrames.ReadWindow(payload));
    }

    [Test]
    public void EmptyWindowPayloadIsAProtocolError()
    {
        ProtocolAssert.Throws(WsRestErrorCode.ProtocolError, () => ControlFrames.ReadWindow([]));
    }

    [Test]
    public void TrailingBytesAfterWindowAreRejected()
    {
        var payload = Bytes.VarInts(100, 0);

        // Trailing bytes make the frame malformed (a protocol error), unlike a bad increment (a flow-control error).
        ProtocolAssert.Throws(WsRestErrorCode.ProtocolError, () => ControlFrames.ReadWindow(payload));
    }

    [TestCase(WsRestErrorCode.NoError)]
    [TestCase(WsRestErrorCode.Cancel)]
    [TestCase(WsRestErrorCode.RefusedStream)]
    [TestCase(WsRestErrorCode.MessageTooLarge)]
    [TestCase(WsRestErrorCode.InternalError)]
    public void CancelRoundTrips(WsRestErrorCode code)
    {
        var (type, _, id, payload) = Bytes.SingleFrame(Bytes.Write(writer => ControlFrames.WriteCancel(writer, 9, code)));

        Assert.That(type, Is.EqualTo(FrameType.Cancel));
        Assert.That(id, Is.EqualTo(9UL));
        Assert.That(ControlFrames.ReadCancel(payload), Is.EqualTo(code));
    }

    [Test]
    public void CancelWithAnUnknownCodeKeepsTheNumber()
    {
        Assert.That((int)ControlFrames.ReadCancel(Bytes.VarInts(77)), Is.EqualTo(77));
        Assert.That((int)ControlFrames.ReadCancel(Bytes.VarInts(VarInt.MaxValue)), Is.EqualTo(int.MaxValue));
    }

    [Test]
    public void TrailingBytesAfterCancelAreAProtocolError()
    {
        var payload = Bytes.VarInts(5, 0);

        ProtocolAssert.Throws(WsRestErrorCode.ProtocolError, () => ControlFrames.ReadCancel(payload));
    }

    [Test]
    public void EmptyCancelPayloadIsAProtocolError()
    {
        ProtocolAssert.Throws(WsRestErrorCode.ProtocolError, () => ControlFrames.ReadCancel([]));
    }

    [Test]
    public void GoAwayRoundTripsOnStreamZero()
    {
        var message = Bytes.Write(writer => ControlFrames.WriteGoAway(writer, 41, WsRestErrorCode.GoingAway, "server restarting"));

        var (type, _, id, payload) = Bytes.SingleFrame(message);
        Assert.That(type, Is.EqualTo(FrameType.GoAway));
        Assert.That(id, Is.EqualTo(0UL));
        Assert.That(ControlFrames.ReadGoAway(payload), Is.EqualTo((41UL, WsRestErrorCode.GoingAway, "server restarting")));
    }

    [Test]
    public void ErrorRoundTripsOnStreamZero()
    {
        var message = Bytes.Write(writer => ControlFrames.WriteError(writer, WsRestErrorCode.ProtocolError, "Malformed frame: caf\u00e9."));

        var (type, _, id, payload) = Bytes.SingleFrame(message);
        Assert.That(type, Is.EqualTo(FrameType.Error));
        Assert.That(id, Is.EqualTo(0UL));
        Assert.That(ControlFrames.ReadError(payload), Is.EqualTo((WsRestErrorCode.ProtocolError, "Malformed frame: caf\u00e9.")));
    }

    [Test]
    public void LongReasonIsCutToAQuarterOfTheReasonLimitInCharacters()
    {
        var message = Bytes.Write(writer => ControlFrames.WriteError(writer, WsRestErrorCode.InternalError, new string('\u20ac', 2000)));

        var (_, _, _, payload) = Bytes.SingleFrame(message);
        var (_, reason) = ControlFrames.ReadError(payload);
        Assert.That(reason, Is.EqualTo(new string('\u20ac', ControlFrames.MaxReasonBytes / 4)));
    }

    [Test]
    public void ReasonOverTheLimitIsMessageTooLargeOnRead()
    {
        byte[] payload = [.. Bytes.VarInts((ulong)WsRestErrorCode.ProtocolError, ControlFrames.MaxReasonBytes + 1), .. new byte[ControlFrames.MaxReasonBytes + 1]];

        ProtocolAssert.Throws(WsRestErrorCode.MessageTooLarge, () => ControlFrames.ReadError(payload));
    }

    [Test]
    public void TruncatedGoAwayIsAProtocolError()
    {
        var payload = Bytes.VarInts(41, 9);

        ProtocolAssert.Throws(WsRestErrorCode.ProtocolError, () => ControlFrames.ReadGoAway(payload));
    }

    [Test]
    public void ErrorCodesHaveTheirWireValues()
    {
        var expected = new Dictionary<WsRestErrorCode, int>
        {
            [WsRestErrorCode.NoError] = 0,
            [WsRestErrorCode.ProtocolError] = 1,
            [WsRestErrorCode.InternalError] = 2,
            [WsRestErrorCode.FlowControlError] = 3,
            [WsRestErrorCode.RefusedStream] = 4,
            [WsRestErrorCode.Cancel] = 5,
            [WsRestErrorCode.MessageTooLarge] = 6,
            [WsRestErrorCode.HandshakeTimeout] = 7,
            [WsRestErrorCode.UnsupportedVersion] = 8,
            [WsRestErrorCode.GoingAway] = 9,
            [WsRestErrorCode.EnhanceYourCalm] = 10,
        };

        Assert.That(Enum.GetValues<WsRestErrorCode>().ToDictionary(c => c, c => (int)c), Is.EqualTo(expected));
    }

    [Test]
    public void PingAndPongRoundTripEightOpaqueBytes()
    {
        var (type, _, id, payload) = Bytes.SingleFrame(Bytes.Write(writer => ControlFrames.WritePing(writer, FrameType.Ping, 0x0102030405060708)));

        Assert.That(type, Is.EqualTo(FrameType.Ping));
        Assert.That(id, Is.Zero);
        Assert.That(payload, Is.EqualTo(new byte[] { 1, 2, 3, 4, 5, 6, 7, 8 }));
        Assert.That(ControlFrames.ReadPing(payload), Is.EqualTo(0x0102030405060708));
    }

    [Test]
    public void PingOfTheWrongSizeIsAProtocolError()
    {
        ProtocolAssert.Throws(WsRestErrorCode.ProtocolError, () => ControlFrames.ReadPing(new byte[7]));
    }
}
