using WsRest.Protocol;

namespace WsRest.Abstractions.Tests;

public class HandshakeFrameTests
{
    private const int MetadataLimit = 4096;

    private static readonly byte[] s_connectionId = Enumerable.Range(1, HelloFrame.ConnectionIdLength).Select(i => (byte)i).ToArray();

    private static readonly PeerSettings s_custom = new()
    {
        MaxConcurrentStreams = 7,
        InitialStreamWindow = 1000,
        InitialConnectionWindow = 5000,
        MaxMessageSize = 8192,
        MaxHeaderListSize = 300,
        HeartbeatIntervalMs = 20000,
    };

    [Test]
    public void HelloRoundTrips()
    {
        var hello = new HelloFrame(
            1,
            s_custom,
            [new("tenant", "acme"), new("token", "\u00e9t\u00e9"), new("tenant", "second")],
            s_connectionId);

        var decoded = HelloFrame.Read(Bytes.Write(hello.Write), MetadataLimit);

        Assert.That(decoded.Version, Is.EqualTo(1));
        Assert.That(decoded.Settings, Is.EqualTo(s_custom));
        Assert.That(decoded.Metadata, Is.EqualTo(hello.Metadata));
        Assert.That(decoded.PreviousConnectionId, Is.EqualTo(s_connectionId));
    }

    [Test]
    public void HelloWithoutPreviousIdEndsWithAZeroLength()
    {
        var bytes = Bytes.Write(new HelloFrame(1, new PeerSettings(), [], null).Write);

        Assert.That(bytes[^1], Is.EqualTo(0x00));
        var decoded = HelloFrame.Read(bytes, MetadataLimit);
        Assert.That(decoded.PreviousConnectionId, Is.Null);
        Assert.That(decoded.Metadata, Is.Empty);
    }

    [Test]
    public void HelloWithAnotherVersionDecodesSoTheServerCanAnswerUnsupportedVersion()
    {
        var decoded = HelloFrame.Read(Bytes.Write(new HelloFrame(2, new PeerSettings(), [], null).Write), MetadataLimit);

        Assert.That(decoded.Version, Is.EqualTo(2));
    }

    [Test]
    public void MetadataCountsKeysValuesAndTheirLengthPrefixes()
    {
        // "tenant" + "acme" = (1 + 6) + (1 + 4) = 12 bytes.
        var bytes = Bytes.Write(new HelloFrame(1, new PeerSettings(), [new("tenant", "acme")], null).Write);

        Assert.That(HelloFrame.Read(bytes, 12).Metadata, Has.Count.EqualTo(1));
        ProtocolAssert.Throws(WsRestErrorCode.MessageTooLarge, () => HelloFrame.Read(bytes, 11));
    }

    [Test]
    public void MetadataOverTheLimitIsMessageTooLarge()
    {
        var metadata = Enumerable.Range(0, 100).Select(i => new KeyValuePair<string, string>($"key{i}", new string('v', 50))).ToList();
        var bytes = Bytes.Write(new HelloFrame(1, new PeerSettings(), metadata, null).Write);

        ProtocolAssert.Throws(WsRestErrorCode.MessageTooLarge, () => HelloFrame.Read(bytes, MetadataLimit));
    }

    [Test]
    public void SingleMetadataValueOverTheLimitIsMessageTooLarge()
    {
        var bytes = Bytes.Write(new HelloFrame(1, new PeerSettings(), [new("k", new string('v', 5000))], null).Write);

        ProtocolAssert.Throws(WsRestErrorCode.MessageTooLarge, () => HelloFrame.Read(bytes, MetadataLimit));
    }

    [TestCase(1)]
    [TestCase(8)]
    [TestCase(15)]
    [TestCase(17)]
    [TestCase(32)]
    public void PreviousIdOfAnotherLengthIsAProtocolError(int length)
    {
        var bytes = Bytes.Write(new HelloFrame(1, new PeerSettings(), [], new byte[length]).Write);

        ProtocolAssert.Throws(WsRestErrorCode.ProtocolError, () => HelloFrame.Read(bytes, MetadataLimit));
    }

    [Test]
    public void TruncatedPreviousIdIsAProtocolError()
    {
        var bytes = Bytes.Write(new HelloFrame(1, new PeerSettings(), [], s_connectionId).Write);

        ProtocolAssert.Throws(WsRestErrorCode.ProtocolError, () => HelloFrame.Read(bytes.AsSpan(0, bytes.Length - 1), MetadataLimit));
    }

    [Test]
    public void TrailingBytesAfterHelloAreAProtocolError()
    {
        byte[] bytes = [.. Bytes.Write(new HelloFrame(1, new PeerSettings(), [], null).Write), 0x00];

        ProtocolAssert.Throws(WsRestErrorCode.ProtocolError, () => HelloFrame.Read(bytes, MetadataLimit));
    }

    [Test]
    public void VersionBeyondInt32IsAProtocolError()
    {
        byte[] bytes = [.. Bytes.VarInts(1UL << 31), .. Bytes.Write(new PeerSettings().Write), 0x00, 0x00];

        ProtocolAssert.Throws(WsRestErrorCode.ProtocolError, () => HelloFrame.Read(bytes, MetadataLimit));
    }

    [Test]
    public void WelcomeRoundTrips()
    {
        var welcome = new WelcomeFrame(1, s_connectionId, s_custom);

        var decoded = WelcomeFrame.Read(Bytes.Write(welcome.Write));

        Assert.That(decoded.Version, Is.EqualTo(1));
        Assert.That(decoded.ConnectionId, Is.EqualTo(s_connectionId));
        Assert.That(decoded.Settings, Is.EqualTo(s_custom));
    }

    [Test]
    public void WelcomeConnectionIdHasNoLengthPrefix()
    {
        var bytes = Bytes.Write(new WelcomeFrame(1, s_connectionId, new PeerSettings()).Write);

        Assert.That(bytes.AsSpan(1, HelloFrame.ConnectionIdLength).ToArray(), Is.EqualTo(s_connectionId));
    }

    [Test]
    public void TruncatedWelcomeIsAProtocolError()
    {
        // Version 1 and only 15 bytes of the connection id.
        byte[] bytes = [0x01, .. new byte[15]];

        ProtocolAssert.Throws(WsRestErrorCode.ProtocolError, () => WelcomeFrame.Read(bytes));
    }

    [Test]
    public void TrailingBytesAfterWelcomeAreAProtocolError()
    {
        byte[] bytes = [.. Bytes.Write(new WelcomeFrame(1, s_connectionId, new PeerSettings()).Write), 0x00];

        ProtocolAssert.Throws(WsRestErrorCode.ProtocolError, () => WelcomeFrame.Read(bytes));
    }

    [Test]
    public void SettingsAreSixKeyValuePairs()
    {
        var bytes = Bytes.Write(s_custom.Write);

        Assert.That(bytes, Is.EqualTo(Bytes.VarInts(6, 1, 7, 2, 1000, 3, 5000, 4, 8192, 5, 300, 6, 20000)));
    }

    [Test]
    public void AbsentSettingsTakeTheirDefaults()
    {
        var settings = ReadSettings(Bytes.VarInts(0));

        Assert.That(settings.MaxConcurrentStreams, Is.EqualTo(100));
        Assert.That(settings.InitialStreamWindow, Is.EqualTo(256 * 1024));
        Assert.That(settings.InitialConnectionWindow, Is.EqualTo(1024 * 1024));
        Assert.That(settings.MaxMessageSize, Is.EqualTo(1024 * 1024));
        Assert.That(settings.MaxHeaderListSize, Is.EqualTo(64 * 1024));
        Assert.That(settings.HeartbeatIntervalMs, Is.EqualTo(0));
    }

    [Test]
    public void UnknownSettingKeysAreIgnored()
    {
        var settings = ReadSettings(Bytes.VarInts(3, 99, 123456, 1, 5, 0, 1));

        Assert.That(settings, Is.EqualTo(new PeerSettings { MaxConcurrentStreams = 5 }));
    }

    [Test]
    public void RepeatedSettingKeyTakesTheLastValue()
    {
        var settings = ReadSettings(Bytes.VarInts(2, 1, 5, 1, 9));

        Assert.That(settings.MaxConcurrentStreams, Is.EqualTo(9));
    }

    [Test]
    public void MaxMessageSizeBelowTheMinimumIsAProtocolError()
    {
        Assert.That(ReadSettings(Bytes.VarInts(1, 4, PeerSettings.MinMessageSize)).MaxMessageSize, Is.EqualTo(4096));
        ProtocolAssert.Throws(WsRestErrorCode.ProtocolError, () => ReadSettings(Bytes.VarInts(1, 4, PeerSettings.MinMessageSize - 1)));
    }

    [TestCase(2)]
    [TestCase(3)]
    public void ZeroFlowControlWindowIsAProtocolError(int key)
    {
        var smallest = ReadSettings(Bytes.VarInts(1, (ulong)key, 1));
        Assert.That(key == PeerSettings.KeyInitialStreamWindow ? smallest.InitialStreamWindow : smallest.InitialConnectionWindow, Is.EqualTo(1));
        ProtocolAssert.Throws(WsRestErrorCode.ProtocolError, () => ReadSettings(Bytes.VarInts(1, (ulong)key, 0)));
    }

    [Test]
    public void SettingValueBeyondInt32IsAProtocolError()
    {
        ProtocolAssert.Throws(WsRestErrorCode.ProtocolError, () => ReadSettings(Bytes.VarInts(1, 1, 1UL << 31)));
    }

    [Test]
    public void MoreThanSixtyFourSettingsIsAProtocolError()
    {
        var pairs = Enumerable.Range(0, 65).SelectMany(i => new ulong[] { 100 + (ulong)i, 0 });
        ProtocolAssert.Throws(WsRestErrorCode.ProtocolError, () => ReadSettings(Bytes.VarInts([65, .. pairs])));
    }

    private static PeerSettings ReadSettings(byte[] bytes)
    {
        var reader = new PayloadReader(bytes);
        var settings = PeerSettings.Read(ref reader);
        Assert.That(reader.End, Is.True);
        return settings;
    }
}
