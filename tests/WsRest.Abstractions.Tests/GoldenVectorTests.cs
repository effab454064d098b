using System.Text;
using WsRest.Protocol;

namespace WsRest.Abstractions.Tests;

/// <summary>
/// The "Example exchange" of docs/protocol.md §11, byte for byte. The hex strings below appear verbatim
/// in the document, and <see cref="DocumentQuotesEveryVector"/> checks that they still do, so the
/// specification and the codecs cannot drift apart.
/// </summary>
public class GoldenVectorTests
{
    public const string Hello = "01000029010601406402800400000380100000048010000005800100000600010674656e616e740461636d6500";
    public const string Welcome = "0200002c0100112233445566778899aabbccddeeff060140640280040000038010000004801000000580010000067a98";
    public const string Ready = "03000000";
    public const string GetPetRequest = "0401010b01072f706574732f310300";
    public const string GetPetResponse = "0501010c40c80e007b226964223a317d";
    public const string Data = "06010303616263";
    public const string ConnectionWindow = "0700000480080000";
    public const string Cancel = "0800030105";
    public const string GoAway = "09000006010903627965";
    public const string Error = "0e0000050103626164";

    private static readonly string[] s_all = [Hello, Welcome, Ready, GetPetRequest, GetPetResponse, Data, ConnectionWindow, Cancel, GoAway, Error];

    [Test]
    public void HelloBytes() => Assert.That(Bytes.ToHex(GoldenVectors.HelloMessage()), Is.EqualTo(Hello));

    [Test]
    public void WelcomeBytes() => Assert.That(Bytes.ToHex(GoldenVectors.WelcomeMessage()), Is.EqualTo(Welcome));

    [Test]
    public void ReadyBytes() => Assert.That(Bytes.ToHex(GoldenVectors.ReadyMessage()), Is.EqualTo(Ready));

    [Test]
    public void GetPetRequestBytes() => Assert.That(Bytes.ToHex(GoldenVectors.GetPetRequestMessage()), Is.EqualTo(GetPetRequest));

    [Test]
    public void GetPetResponseBytes() => Assert.That(Bytes.ToHex(GoldenVectors.GetPetResponseMessage()), Is.EqualTo(GetPetResponse));

    [Test]
    public void ControlFrameBytes()
    {
        Assert.That(Bytes.ToHex(GoldenVectors.DataMessage()), Is.EqualTo(Data));
        Assert.That(Bytes.ToHex(GoldenVectors.ConnectionWindowMessage()), Is.EqualTo(ConnectionWindow));
        Assert.That(Bytes.ToHex(GoldenVectors.CancelMessage()), Is.EqualTo(Cancel));
        Assert.That(Bytes.ToHex(GoldenVectors.GoAwayMessage()), Is.EqualTo(GoAway));
        Assert.That(Bytes.ToHex(GoldenVectors.ErrorMessage()), Is.EqualTo(Error));
    }

    [Test]
    public void HelloDecodes()
    {
        var (type, flags, streamId, payload) = Bytes.SingleFrame(Bytes.FromHex(Hello));
        var hello = HelloFrame.Read(payload, maxMetadataBytes: 4096);

        Assert.That((type, flags, streamId), Is.EqualTo((FrameType.Hello, FrameFlags.None, 0UL)));
        Assert.That(hello.Version, Is.EqualTo(1));
        Assert.That(hello.Settings, Is.EqualTo(new PeerSettings()));
        Assert.That(hello.Metadata, Is.EqualTo(new[] { new KeyValuePair<string, string>("tenant", "acme") }));
        Assert.That(hello.PreviousConnectionId, Is.Null);
    }

    [Test]
    public void WelcomeDecodes()
    {
        var (type, _, streamId, payload) = Bytes.SingleFrame(Bytes.FromHex(Welcome));
        var welcome = WelcomeFrame.Read(payload);

        Assert.That((type, streamId), Is.EqualTo((FrameType.Welcome, 0UL)));
        Assert.That(welcome.Version, Is.EqualTo(1));
        Assert.That(Bytes.ToHex(welcome.ConnectionId), Is.EqualTo("00112233445566778899aabbccddeeff"));
        Assert.That(welcome.Settings.HeartbeatIntervalMs, Is.EqualTo(15000));
        Assert.That(welcome.Settings with { HeartbeatIntervalMs = 0 }, Is.EqualTo(new PeerSettings()));
    }

    [Test]
    public void ReadyDecodes()
    {
        var (type, flags, streamId, payload) = Bytes.SingleFrame(Bytes.FromHex(Ready));

        Assert.That((type, flags, streamId), Is.EqualTo((FrameType.Ready, FrameFlags.None, 0UL)));
        Assert.That(payload, Is.Empty);
    }

    [Test]
    public void GetPetRequestDecodes()
    {
        var (type, flags, streamId, payload) = Bytes.SingleFrame(Bytes.FromHex(GetPetRequest));
        var head = new RequestHead();
        var body = head.Read(payload, maxHeaderBytes: 65536).ToArray();

        Assert.That((type, flags, streamId), Is.EqualTo((FrameType.Request, FrameFlags.EndStream, 1UL)));
        Assert.That(head.Method, Is.EqualTo("GET"));
        Assert.That(head.PathAndQuery, Is.EqualTo("/pets/1"));
        Assert.That(head.Headers, Is.EqualTo(new[] { new KeyValuePair<string, string>("accept", "application/json") }));
        Assert.That(body, Is.Empty);
    }

    [Test]
    public void GetPetResponseDecodes()
    {
        var (type, flags, streamId, payload) = Bytes.SingleFrame(Bytes.FromHex(GetPetResponse));
        var head = new ResponseHead();
        var body = head.Read(payload, maxHeaderBytes: 65536).ToArray();

        Assert.That((type, flags, streamId), Is.EqualTo((FrameType.Response, FrameFlags.EndStream, 1UL)));
        Assert.That(head.StatusCode, Is.EqualTo(200));
        Assert.That(head.Headers, Is.EqualTo(new[] { new KeyValuePair<string, string>("content-type", "application/json; charset=utf-8") }));
        Assert.That(Encoding.UTF8.GetString(body), Is.EqualTo("{\"id\":1}"));
    }

    [Test]
    public void ControlFramesDecode()
    {
        var data = Bytes.SingleFrame(Bytes.FromHex(Data));
        Assert.That((data.Type, data.Flags, data.StreamId, Encoding.ASCII.GetString(data.Payload)), Is.EqualTo((FrameType.Data, FrameFlags.EndStream, 3UL, "abc")));

        var window = Bytes.SingleFrame(Bytes.FromHex(ConnectionWindow));
        Assert.That((window.Type, window.StreamId, ControlFrames.ReadWindow(window.Payload)), Is.EqualTo((FrameType.Window, 0UL, 524288)));

        var cancel = Bytes.SingleFrame(Bytes.FromHex(Cancel));
        Assert.That((cancel.Type, cancel.StreamId, ControlFrames.ReadCancel(cancel.Payload)), Is.EqualTo((FrameType.Cancel, 3UL, WsRestErrorCode.Cancel)));

        var goAway = Bytes.SingleFrame(Bytes.FromHex(GoAway));
        Assert.That(goAway.Type, Is.EqualTo(FrameType.GoAway));
        Assert.That(ControlFrames.ReadGoAway(goAway.Payload), Is.EqualTo((1UL, WsRestErrorCode.GoingAway, "bye")));

        var error = Bytes.SingleFrame(Bytes.FromHex(Error));
        Assert.That(error.Type, Is.EqualTo(FrameType.Error));
        Assert.That(ControlFrames.ReadError(error.Payload), Is.EqualTo((WsRestErrorCode.ProtocolError, "bad")));
    }

    [Test]
    public void DocumentQuotesEveryVector()
    {
        var document = File.ReadAllText(FindProtocolDocument());

        foreach (var hex in s_all)
        {
            Assert.That(document, Does.Contain(hex), "docs/protocol.md must quote this vector verbatim");
        }
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
