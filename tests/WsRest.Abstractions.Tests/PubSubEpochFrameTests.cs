using System.Buffers;
using WsRest.Protocol;

namespace WsRest.Abstractions.Tests;

/// <summary>The epoch parts of docs/protocol.md §10.3 and §10.5: SUBSCRIBE's optional epoch and the epoch notice.</summary>
public class PubSubEpochFrameTests
{
    [Test]
    public void SubscribeCarriesItsEpochOnlyWhenKnown()
    {
        var without = new ArrayBufferWriter<byte>();
        PubSubFrames.WriteSubscribe(without, "pets/created", 43);
        var with = new ArrayBufferWriter<byte>();
        PubSubFrames.WriteSubscribe(with, "pets/created", 43, epoch: PubSubFrames.MaxEpoch);

        Assert.That(PubSubFrames.ReadSubscribeWithEpoch(without.WrittenSpan), Is.EqualTo(("pets/created", 43L, 0L)), "version-1 bytes: no epoch");
        Assert.That(PubSubFrames.ReadSubscribeWithEpoch(with.WrittenSpan), Is.EqualTo(("pets/created", 43L, PubSubFrames.MaxEpoch)));
        Assert.That(PubSubFrames.ReadSubscribe(with.WrittenSpan), Is.EqualTo(("pets/created", 43L)));
    }

    [TestCase("0c706574732f637265617465642b00", TestName = "SUBSCRIBE with epoch 0")]
    [TestCase("0c706574732f637265617465642bc020000000000000", TestName = "SUBSCRIBE with an epoch of 2^53")]
    [TestCase("0c706574732f637265617465642b0101", TestName = "SUBSCRIBE with bytes after the epoch")]
    public void AMalformedSubscribeEpochIsAProtocolError(string payloadHex)
    {
        var error = Assert.Throws<WsRestProtocolException>(() => PubSubFrames.ReadSubscribeWithEpoch(Convert.FromHexString(payloadHex)));
        Assert.That(error!.ErrorCode, Is.EqualTo(WsRestErrorCode.ProtocolError));
    }

    [Test]
    public void TheEpochNoticeRoundTripsAndRejectsZeroAndTrailingBytes()
    {
        var notice = new ArrayBufferWriter<byte>();
        PubSubFrames.WriteEpoch(notice, 1234);
        Assert.That(Convert.ToHexStringLower(notice.WrittenSpan), Is.EqualTo("44d2"));
        Assert.That(PubSubFrames.ReadEpoch(notice.WrittenSpan), Is.EqualTo(1234));
        Assert.Throws<WsRestProtocolException>(() => PubSubFrames.ReadEpoch([0x00]));
        Assert.Throws<WsRestProtocolException>(() => PubSubFrames.ReadEpoch([0x01, 0x01]));
    }
}
