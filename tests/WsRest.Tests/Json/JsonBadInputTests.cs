using System.Net.WebSockets;
using System.Text;
using Microsoft.AspNetCore.Builder;
using WsRest.Client;
using WsRest.Tests.Infrastructure;

namespace WsRest.Tests.Json;

/// <summary>
/// The fuzz pass of issue 14: every malformed <c>wsrest.v1.json</c> input gets a clear ERROR and closes
/// only its own connection (docs/protocol.md §13.2, §13.6), while a bystander on JSON keeps working.
/// </summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1001", Justification = "NUnit fixture: disposed in OneTimeTearDown.")]
public class JsonBadInputTests
{
    private const int MaxMessageSize = 64 * 1024;
    private TestHost _host = null!;
    private HttpClient _bystander = null!;

    public static IEnumerable<TestCaseData> MalformedMessages()
    {
        TestCaseData Case(string name, string message, string reason) => new TestCaseData(message, reason).SetName($"MalformedMessageClosesOnlyItsConnection({name})");
        yield return Case("malformed JSON", """{"uid":1,"m":"GET" "r":"/"}""", "malformed JSON");
        yield return Case("truncated JSON", """{"uid":1,"m":"GET","r":"/ping""", "malformed JSON");
        yield return Case("trailing garbage", """{"t":"ping","p":"0000000000000001"} x""", "malformed JSON");
        yield return Case("two top-level values", """{"t":"ping","p":"0000000000000001"}{"t":"ping","p":"0000000000000001"}""", "malformed JSON");
        yield return Case("wrong type of uid", """{"uid":"1","m":"GET","r":"/ping"}""", "member 'uid' must be an integer");
        yield return Case("wrong type of e", """{"uid":1,"m":"GET","r":"/ping","e":1}""", "member 'e' must be true or false");
        yield return Case("wrong type of h", """{"uid":1,"m":"GET","r":"/ping","h":{"accept":"*/*"}}""", "member 'h' must be an array");
        yield return Case("header not a pair", """{"uid":1,"m":"GET","r":"/ping","h":[["accept"]]}""", "pair of two strings");
        yield return Case("duplicate member", """{"uid":1,"uid":3,"m":"GET","r":"/ping"}""", "member 'uid' appears twice");
        yield return Case("duplicate escaped member", """{"uid":1,"\u0075id":3,"m":"GET","r":"/ping"}""", "member 'uid' appears twice");
        yield return Case("duplicate unknown member", """{"t":"ping","p":"0000000000000001","x":1,"x":2}""", "member 'x' appears twice");
        yield return Case("unknown t", """{"t":"bogus","uid":1}""", "unknown frame type t=\"bogus\"");
        yield return Case("neither m nor c", """{"uid":1,"r":"/ping"}""", "needs 'm' (a request) or 'c' (a response)");
        yield return Case("both m and c", """{"uid":1,"m":"GET","c":200,"r":"/ping"}""", "both 'm' and 'c'");
        yield return Case("missing required member", """{"t":"cancel","uid":1}""", "required member 'code' is missing");
        yield return Case("fraction", """{"t":"window","n":1.5}""", "integer from 0 to 2^53-1");
        yield return Case("exponent", """{"t":"window","n":1e3}""", "integer from 0 to 2^53-1");
        yield return Case("negative", """{"t":"window","n":-1}""", "integer from 0 to 2^53-1");
        yield return Case("beyond 2^53-1", """{"t":"window","n":9007199254740992}""", "integer from 0 to 2^53-1");
        yield return Case("nested array", """[[{"t":"ping","p":"0000000000000001"}]]""", "arrays do not nest");
        yield return Case("empty array", "[]", "an empty array carries no frame");
        yield return Case("array of numbers", "[1]", "every element must be a frame object");
        yield return Case("top-level number", "42", "not a number");
        yield return Case("top-level string", "\"hello\"", "not a string");
        yield return Case("empty message", string.Empty, "malformed JSON");
        yield return Case("bad base64", """{"uid":1,"m":"POST","r":"/ping","d":"!!!","de":"base64"}""", "not valid padded base64");
        yield return Case("unknown de", """{"uid":1,"m":"POST","r":"/ping","d":"x","de":"hex"}""", "'de' must be");
        yield return Case("de without d", """{"uid":1,"m":"POST","r":"/ping","de":"text"}""", "'de' is given without 'd'");
        yield return Case("text d not a string", """{"uid":1,"m":"POST","r":"/ping","d":5,"de":"text"}""", "'d' must be a string");
        yield return Case("bad ping payload", """{"t":"ping","p":"xyz"}""", "'p' must be 16 hex digits");
        yield return Case("lone surrogate", """{"uid":1,"m":"GET","r":"/\ud800"}""", "lone surrogate");
        yield return Case("header with CR", """{"uid":1,"m":"GET","r":"/ping","h":[["x-a","b\rc"]]}""", "contains CR, LF or NUL");
        yield return Case("stream id of the server's parity", """{"uid":2,"m":"GET","r":"/ping"}""", "not the client");
        yield return Case("hello after the handshake", """{"t":"hello","v":1}""", "HELLO frame arrived after the handshake");
        yield return Case("ack from a client", """{"t":"ack","uid":1,"k":"subscribed"}""", "ACK");
        yield return Case("too deep", """{"uid":1,"m":"POST","r":"/ping","d":""" + new string('[', 300) + new string(']', 300) + "}", "malformed JSON");
    }

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        _host = await TestHost.StartAsync(
            WsRestEncoding.Json,
            app => app.MapGet("/ping", () => "pong"),
            o => o.MaxMessageSize = MaxMessageSize);
        _bystander = await _host.CreateWsRestHttpClientAsync();
    }

    [TearDown]
    public async Task BystanderStillServedAsync()
        => Assert.That(await _bystander.GetStringAsync("/ping"), Is.EqualTo("pong"));

    [OneTimeTearDown]
    public async Task StopAsync()
    {
        _bystander.Dispose();
        await _host.DisposeAsync();
    }

    [TestCaseSource(nameof(MalformedMessages))]
    public async Task MalformedMessageClosesOnlyItsConnection(string message, string reason)
    {
        await using var socket = await JsonSocket.OpenAsync(_host.WsRestEndpoint);
        await socket.HandshakeAsync();
        await socket.SendAsync(message);
        await ExpectErrorAsync(socket, 1, WebSocketCloseStatus.ProtocolError, reason);
    }

    [Test]
    public async Task InvalidUtf8IsRefused()
    {
        await using var socket = await JsonSocket.OpenAsync(_host.WsRestEndpoint);
        await socket.HandshakeAsync();
        await socket.Socket.SendAsync(new byte[] { (byte)'"', 0xC3, 0x28, (byte)'"' }, WebSocketMessageType.Text, true, CancellationToken.None);

        // RFC 6455 §8.1: the server's WebSocket layer itself fails a connection whose text message is not
        // UTF-8 (close 1007, or a reset), before the decoder sees it; a WebSocket that passed the bytes on
        // would meet the decoder's own check (JsonWireFormatTests). Either way only this connection ends.
        try
        {
            var (status, frames) = await socket.ReceiveUntilCloseAsync();
            Assert.That(status, Is.AnyOf(WebSocketCloseStatus.InvalidPayloadData, WebSocketCloseStatus.ProtocolError));
            if (status == WebSocketCloseStatus.ProtocolError)
            {
                Assert.That((string?)frames.Single()["reason"], Does.Contain("not valid UTF-8"));
            }
        }
        catch (WebSocketException ex)
        {
            Assert.That(ex.WebSocketErrorCode, Is.EqualTo(WebSocketError.ConnectionClosedPrematurely));
        }
    }

    [Test]
    public async Task AnOversizeMessageIsMessageTooLarge()
    {
        await using var socket = await JsonSocket.OpenAsync(_host.WsRestEndpoint);
        await socket.HandshakeAsync();
        await socket.SendAsync($$"""{"uid":1,"m":"POST","r":"/ping","d":"{{new string('a', MaxMessageSize)}}"}""");
        await ExpectErrorAsync(socket, 6, WebSocketCloseStatus.MessageTooBig, "exceeded the limit");
    }

    [Test]
    public async Task ABinaryMessageOnAJsonConnectionIsRefused()
    {
        await using var socket = await JsonSocket.OpenAsync(_host.WsRestEndpoint);
        await socket.HandshakeAsync();
        await socket.Socket.SendAsync(new byte[] { 0x0F, 0, 0, 8, 0, 0, 0, 0, 0, 0, 0, 1 }, WebSocketMessageType.Binary, true, CancellationToken.None);
        await ExpectErrorAsync(socket, 1, WebSocketCloseStatus.ProtocolError, "binary message arrived on a wsrest.v1.json connection");
    }

    [Test]
    public async Task AHandshakeMessageMustBeASingleObject()
    {
        await using var socket = await JsonSocket.OpenAsync(_host.WsRestEndpoint);
        await socket.SendAsync("""[{"t":"hello","v":1}]""");
        await ExpectErrorAsync(socket, 1, WebSocketCloseStatus.ProtocolError, "never an array");
    }

    [Test]
    public async Task ACredentialWithoutAuthenticationIsRefusedNotIgnored()
    {
        await using var socket = await JsonSocket.OpenAsync(_host.WsRestEndpoint);
        await socket.SendAsync("""{"t":"hello","v":1,"auth":"Bearer secret-token"}""");
        var error = await ExpectErrorAsync(socket, 1, WebSocketCloseStatus.PolicyViolation, "authentication failed");
        Assert.That(error, Does.Not.Contain("secret-token"));
    }

    [Test]
    public async Task UnknownMembersAreIgnored()
    {
        await using var socket = await JsonSocket.OpenAsync(_host.WsRestEndpoint);
        await socket.HandshakeAsync("""{"t":"hello","v":1,"future":{"x":[1,2]},"s":{"ps":1,"zz":7}}""");
        await socket.SendAsync("""{"t":"ping","p":"00000000000000AB","later":true}""");
        JsonAssert.AreEqual("""{"t":"pong","p":"00000000000000ab"}""", await socket.NextAsync());
    }

    [Test]
    public async Task ABatchOfFramesIsProcessedInOrder()
    {
        await using var socket = await JsonSocket.OpenAsync(_host.WsRestEndpoint);
        await socket.HandshakeAsync();
        await socket.SendAsync("""[{"uid":1,"m":"GET","r":"/ping"},{"t":"ping","p":"0000000000000002"},{"uid":3,"m":"GET","r":"/ping"}]""");
        var pong = await socket.NextAsync(f => (string?)f["t"] == "pong");
        JsonAssert.AreEqual("""{"t":"pong","p":"0000000000000002"}""", pong);
        JsonAssert.Contains("""{"uid":3,"c":200}""", await socket.NextAsync(f => (int?)f["uid"] == 3 && f.ContainsKey("c")));
    }

    private static async Task<string> ExpectErrorAsync(JsonSocket socket, int code, WebSocketCloseStatus status, string reason)
    {
        var (closeStatus, frames) = await socket.ReceiveUntilCloseAsync();
        var error = frames.LastOrDefault(f => (string?)f["t"] == "error");
        Assert.That(error, Is.Not.Null, $"an ERROR frame comes before the close; got {string.Join(" ", frames.Select(f => f.ToJsonString()))}");
        Assert.That((int?)error!["code"], Is.EqualTo(code), error.ToJsonString());
        Assert.That((string?)error["reason"], Does.Contain(reason));
        Assert.That(closeStatus, Is.EqualTo(status));
        return Encoding.UTF8.GetString(Encoding.UTF8.GetBytes(error.ToJsonString()));
    }
}
