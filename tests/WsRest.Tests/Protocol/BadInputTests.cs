using System.Net;
using System.Net.WebSockets;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using WsRest.Protocol;
using WsRest.Tests.Infrastructure;

namespace WsRest.Tests.Protocol;

/// <summary>
/// Each malformed or abusive input gets a clear error, closes or resets only what it must, and the
/// server goes on serving its other connections.
/// </summary>
public class BadInputTests
{
    private TestHost _host = null!;
    private HttpClient _bystander = null!;
    private TaskCompletionSource _release = null!;

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        _host = await TestHost.StartAsync(
            app =>
            {
                app.MapGet("/ping", () => "pong");
                app.MapGet("/hold", async (CancellationToken aborted) =>
                {
                    await _release.Task.WaitAsync(aborted);
                    return "released";
                });

                // A server from the future: it answers HELLO with a WELCOME of protocol version 2.
                app.Map("/version-2", async (HttpContext context) =>
                {
                    using var socket = await context.WebSockets.AcceptWebSocketAsync(WsRestProtocol.SubProtocol);
                    using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
                    await WsRest.Engine.HandshakeChannel.ReceiveAsync(socket, FrameType.Hello, 1 << 20, timeout.Token);
                    var welcome = new WelcomeFrame(2, new byte[HelloFrame.ConnectionIdLength], new PeerSettings());
                    await WsRest.Engine.HandshakeChannel.SendAsync(socket, FrameType.Welcome, welcome.Write, timeout.Token);
                    var buffer = new byte[256];
                    while (socket.State == WebSocketState.Open)
                    {
                        await socket.ReceiveAsync(buffer, timeout.Token);
                    }
                });
            },
            o =>
            {
                o.MaxConcurrentStreams = 2;
                o.MaxMessageSize = 64 * 1024;
                o.MaxHeaderListSize = 4 * 1024;
                o.MaxMetadataSize = 256;
                o.HandshakeTimeout = TimeSpan.FromSeconds(1);
            });
        _bystander = await _host.CreateWsRestHttpClientAsync();
    }

    [SetUp]
    public void ResetGate() => _release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

    [TearDown]
    public async Task BystanderStillServedAsync()
    {
        _release.TrySetResult();

        // The well-behaved connection opened before the abuse keeps working after it.
        Assert.That(await _bystander.GetStringAsync("/ping"), Is.EqualTo("pong"));
    }

    [OneTimeTearDown]
    public async Task StopAsync()
    {
        _bystander.Dispose();
        await _host.DisposeAsync();
    }

    [Test]
    public async Task MalformedFrameClosesWithProtocolError()
    {
        await using var raw = await RawConnection.OpenAsync(_host.WsRestEndpoint);

        // A frame whose length runs past the end of the message.
        await raw.SendBytesAsync([(byte)FrameType.Request, 0x01, 0x01, 0x3F, 0x01]);

        var (code, reason) = await raw.ReceiveUntilClosedAsync();
        Assert.That(code, Is.EqualTo(WsRestErrorCode.ProtocolError));
        Assert.That(reason, Does.Contain("truncated"));
        Assert.That(raw.Socket.CloseStatus, Is.EqualTo(WebSocketCloseStatus.ProtocolError));
    }

    [Test]
    public async Task UnknownFrameTypeClosesWithProtocolError()
    {
        await using var raw = await RawConnection.OpenAsync(_host.WsRestEndpoint);

        await raw.SendFrameAsync((FrameType)0x7F, FrameFlags.None, 0, [1, 2, 3]);

        var (code, reason) = await raw.ReceiveUntilClosedAsync();
        Assert.That(code, Is.EqualTo(WsRestErrorCode.ProtocolError));
        Assert.That(reason, Does.Contain("Unknown frame type 0x7F"));
    }

    [Test]
    public async Task OversizeMessageClosesWithMessageTooBig()
    {
        await using var raw = await RawConnection.OpenAsync(_host.WsRestEndpoint);

        await raw.SendBytesAsync(new byte[(64 * 1024) + 1]);

        var (code, reason) = await raw.ReceiveUntilClosedAsync();
        Assert.That(code, Is.EqualTo(WsRestErrorCode.MessageTooLarge));
        Assert.That(reason, Does.Contain("65536"));
        Assert.That(raw.Socket.CloseStatus, Is.EqualTo(WebSocketCloseStatus.MessageTooBig));
    }

    [Test]
    public async Task MessageExactlyAtTheLimitIsAccepted()
    {
        await using var raw = await RawConnection.OpenAsync(_host.WsRestEndpoint);

        // One GET padded with a header so the whole message is exactly the limit.
        var get = RawConnection.EncodeGet("/ping");
        var envelope = FrameCodec.GetHeaderLength(1, get.Length);
        var padValue = new string('x', 64 * 1024 - envelope - get.Length - 200);
        var padded = RawConnection.EncodeGet("/ping", headers: [new("x-pad", padValue)]);
        Assert.That(padded.Length, Is.LessThan(64 * 1024), "test setup");

        // The header list limit (4 KiB) gets this stream a 431 (issue 13); what matters here is that
        // the message itself (under the 64 KiB message limit) does not close the connection.
        await raw.SendFrameAsync(FrameType.Request, FrameFlags.EndStream, 1, padded);
        var refused = await raw.ReceiveFrameAsync(FrameType.Response, 1);
        Assert.That(StatusOf(refused.Payload), Is.EqualTo(431));

        await raw.SendGetAsync(3, "/ping");
        var response = await raw.ReceiveFrameAsync(FrameType.Response, 3);
        Assert.That(StatusOf(response.Payload), Is.EqualTo(200));
    }

    [Test]
    public async Task GarbageHandshakeIsRejected()
    {
        await using var raw = await RawConnection.OpenAsync(_host.WsRestEndpoint, handshake: false);

        await raw.SendBytesAsync("GET / HTTP/1.1\r\n\r\n"u8.ToArray());

        var (code, reason) = await raw.ReceiveUntilClosedAsync();
        Assert.That(code, Is.EqualTo(WsRestErrorCode.ProtocolError));
        Assert.That(reason, Is.Not.Empty);
    }

    [Test]
    public async Task SlowHandshakeTimesOut()
    {
        await using var raw = await RawConnection.OpenAsync(_host.WsRestEndpoint, handshake: false);

        // Send nothing: the server's 1 s handshake timeout must close the socket.
        var (code, reason) = await raw.ReceiveUntilClosedAsync();
        Assert.That(code, Is.EqualTo(WsRestErrorCode.HandshakeTimeout));
        Assert.That(reason, Does.Contain("handshake"));
    }

    [Test]
    public async Task RequestBeforeReadyIsRejected()
    {
        await using var raw = await RawConnection.OpenAsync(_host.WsRestEndpoint, handshake: false);
        await raw.SendFrameAsync(FrameType.Request, FrameFlags.EndStream, 1, RawConnection.EncodeGet("/ping"));

        var (code, reason) = await raw.ReceiveUntilClosedAsync();
        Assert.That(code, Is.EqualTo(WsRestErrorCode.ProtocolError));
        Assert.That(reason, Does.Contain("HELLO"));
    }

    [Test]
    public async Task RequestBetweenWelcomeAndReadyIsRejected()
    {
        await using var raw = await RawConnection.OpenAsync(_host.WsRestEndpoint, handshake: false);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var hello = new HelloFrame(WsRestProtocol.Version, new PeerSettings(), [], null);
        await WsRest.Engine.HandshakeChannel.SendAsync(raw.Socket, FrameType.Hello, hello.Write, timeout.Token);
        await WsRest.Engine.HandshakeChannel.ReceiveAsync(raw.Socket, FrameType.Welcome, 1 << 20, timeout.Token);

        await raw.SendFrameAsync(FrameType.Request, FrameFlags.EndStream, 1, RawConnection.EncodeGet("/ping"));

        var (code, reason) = await raw.ReceiveUntilClosedAsync();
        Assert.That(code, Is.EqualTo(WsRestErrorCode.ProtocolError));
        Assert.That(reason, Does.Contain("READY"));
    }

    [Test]
    public async Task UnsupportedVersionIsRejected()
    {
        await using var raw = await RawConnection.OpenAsync(_host.WsRestEndpoint, handshake: false);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var hello = new HelloFrame(99, new PeerSettings(), [], null);
        await WsRest.Engine.HandshakeChannel.SendAsync(raw.Socket, FrameType.Hello, hello.Write, timeout.Token);

        var (code, reason) = await raw.ReceiveUntilClosedAsync();
        Assert.That(code, Is.EqualTo(WsRestErrorCode.UnsupportedVersion));
        Assert.That(reason, Does.Contain("99"));
    }

    [Test]
    public async Task AClientRefusesAServerThatAnswersWithAnotherVersion()
    {
        await using var client = new WsRest.Client.WsRestClient(new WsRest.Client.WsRestClientOptions
        {
            Endpoint = new Uri($"ws://{_host.HttpAddress.Authority}/version-2"),
            Reconnect = { Enabled = false },
        });

        var error = Assert.CatchAsync<HttpRequestException>(() => client.ConnectAsync());

        Assert.That(error!.InnerException, Is.TypeOf<WsRestProtocolException>());
        Assert.That(((WsRestProtocolException)error.InnerException!).ErrorCode, Is.EqualTo(WsRestErrorCode.UnsupportedVersion));
        Assert.That(error.Message, Does.Contain("version 2"));
    }

    [Test]
    public async Task OversizeMetadataIsRejected()
    {
        await using var raw = await RawConnection.OpenAsync(_host.WsRestEndpoint, handshake: false);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var hello = new HelloFrame(WsRestProtocol.Version, new PeerSettings(), [new("app", new string('m', 300))], null);
        await WsRest.Engine.HandshakeChannel.SendAsync(raw.Socket, FrameType.Hello, hello.Write, timeout.Token);

        var (code, reason) = await raw.ReceiveUntilClosedAsync();
        Assert.That(code, Is.EqualTo(WsRestErrorCode.MessageTooLarge));
        Assert.That(reason, Does.Contain("metadata"));
    }

    [Test]
    public async Task StreamIdReuseClosesTheConnection()
    {
        await using var raw = await RawConnection.OpenAsync(_host.WsRestEndpoint);
        await raw.SendGetAsync(1, "/ping");
        await raw.ReceiveFrameAsync(FrameType.Response, 1);

        await raw.SendGetAsync(1, "/ping");

        var (code, reason) = await raw.ReceiveUntilClosedAsync();
        Assert.That(code, Is.EqualTo(WsRestErrorCode.ProtocolError));
        Assert.That(reason, Does.Contain("reused stream id 1"));
    }

    [Test]
    public async Task EvenStreamIdFromClientClosesTheConnection()
    {
        await using var raw = await RawConnection.OpenAsync(_host.WsRestEndpoint);

        await raw.SendGetAsync(2, "/ping");

        var (code, reason) = await raw.ReceiveUntilClosedAsync();
        Assert.That(code, Is.EqualTo(WsRestErrorCode.ProtocolError));
        Assert.That(reason, Does.Contain("stream id 2"));
    }

    [Test]
    public async Task TooManyConcurrentStreamsRefusesOnlyTheExtraStream()
    {
        await using var raw = await RawConnection.OpenAsync(_host.WsRestEndpoint);

        // The limit is 2: two held requests fill it, the third is refused, the connection lives.
        await raw.SendGetAsync(1, "/hold");
        await raw.SendGetAsync(3, "/hold");
        await raw.SendGetAsync(5, "/hold");

        var refused = await raw.ReceiveFrameAsync(FrameType.Cancel, 5);
        Assert.That(ControlFrames.ReadCancel(refused.Payload), Is.EqualTo(WsRestErrorCode.RefusedStream));

        _release.TrySetResult();
        var first = await raw.ReceiveFrameAsync(FrameType.Response, 1);
        Assert.That(first.StreamId, Is.EqualTo(1UL));

        await raw.SendGetAsync(7, "/ping");
        var after = await raw.ReceiveFrameAsync(FrameType.Response, 7);
        Assert.That(StatusOf(after.Payload), Is.EqualTo(200));
    }

    [Test]
    public async Task ClientQueuesRequestsBeyondTheServersStreamLimitInsteadOfFailing()
    {
        using var http = await _host.CreateWsRestHttpClientAsync();

        // Five requests against a limit of 2: the client waits for free slots, none is refused.
        var held = Enumerable.Range(0, 5).Select(_ => http.GetStringAsync("/hold")).ToArray();
        _release.TrySetResult();
        var results = await Task.WhenAll(held).WaitAsync(TimeSpan.FromSeconds(30));
        Assert.That(results, Is.All.EqualTo("released"));
    }

    [Test]
    public async Task DataOnANeverOpenedStreamClosesTheConnection()
    {
        await using var raw = await RawConnection.OpenAsync(_host.WsRestEndpoint);

        await raw.SendFrameAsync(FrameType.Data, FrameFlags.EndStream, 41, [1, 2, 3]);

        var (code, reason) = await raw.ReceiveUntilClosedAsync();
        Assert.That(code, Is.EqualTo(WsRestErrorCode.ProtocolError));
        Assert.That(reason, Does.Contain("never opened"));
    }

    [Test]
    public async Task DataBeyondTheFlowControlWindowClosesTheConnection()
    {
        await using var raw = await RawConnection.OpenAsync(_host.WsRestEndpoint);
        await raw.SendGetAsync(1, "/hold", endStream: false);

        // The server's stream window is 256 KiB; send 300 KiB in 30 KiB frames without waiting for WINDOW.
        var chunk = new byte[30 * 1024];
        var failed = false;
        for (var i = 0; i < 10 && !failed; i++)
        {
            try
            {
                await raw.SendFrameAsync(FrameType.Data, FrameFlags.None, 1, chunk);
            }
            catch (WebSocketException)
            {
                failed = true;
            }
        }

        var (code, reason) = await raw.ReceiveUntilClosedAsync();
        Assert.That(code, Is.EqualTo(WsRestErrorCode.FlowControlError));
        Assert.That(reason, Does.Contain("window"));
    }

    [Test]
    public async Task TextMessageClosesTheConnection()
    {
        await using var raw = await RawConnection.OpenAsync(_host.WsRestEndpoint);

        await raw.Socket.SendAsync("hello"u8.ToArray(), WebSocketMessageType.Text, true, CancellationToken.None);

        var (code, reason) = await raw.ReceiveUntilClosedAsync();
        Assert.That(code, Is.EqualTo(WsRestErrorCode.ProtocolError));
        Assert.That(reason, Does.Contain("text message"));
    }

    [Test]
    public async Task UpgradeWithoutSubprotocolIsRefusedWith400()
    {
        var socket = new ClientWebSocket();
        var error = Assert.CatchAsync<WebSocketException>(() => socket.ConnectAsync(_host.WsRestEndpoint, CancellationToken.None));
        Assert.That(error!.Message, Does.Contain("400"));
        socket.Dispose();
        await Task.CompletedTask;
    }

    [Test]
    public async Task PlainHttpGetOnTheEndpointExplainsItself()
    {
        using var http = _host.CreatePlainHttpClient();
        using var response = await http.GetAsync("/wsrest");
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.That(await response.Content.ReadAsStringAsync(), Does.Contain("WebSocket upgrade"));
    }

    [Test]
    public async Task OversizeHeaderBlockGets431OnlyOnThatStream()
    {
        using var http = await _host.CreateWsRestHttpClientAsync();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/ping");
        request.Headers.TryAddWithoutValidation("x-big", new string('h', 5000));

        // Over MaxHeaderListSize (4 KiB here): answered 431 on that stream, not reset (issue 13).
        using var response = await http.SendAsync(request);
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.RequestHeaderFieldsTooLarge));

        Assert.That(await http.GetStringAsync("/ping"), Is.EqualTo("pong"));
    }

    private static int StatusOf(byte[] responsePayload)
    {
        var head = new ResponseHead();
        head.Read(responsePayload, 64 * 1024);
        return head.StatusCode;
    }
}
