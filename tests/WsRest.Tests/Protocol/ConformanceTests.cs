using System.Buffers;
using System.Net.WebSockets;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using WsRest.Protocol;
using WsRest.Tests.Infrastructure;

namespace WsRest.Tests.Protocol;

/// <summary>
/// MUST rules of docs/protocol.md that no other test proved; each is cited in the conformance list at the end of
/// that document (checked by <see cref="ConformanceListTests"/>).
/// </summary>
public sealed class ConformanceTests
{
    private TestHost _host = null!;

    [OneTimeSetUp]
    public async Task StartAsync()
        => _host = await TestHost.StartAsync(app =>
        {
            app.MapGet("/ping", () => "pong");
            app.MapGet("/hold", async (CancellationToken aborted) =>
            {
                await Task.Delay(Timeout.InfiniteTimeSpan, aborted);
                return "never";
            });
            app.MapGet("/large", () => Results.Bytes(new byte[64 * 1024]));
            app.MapGet("/hop-by-hop", (HttpContext context) =>
            {
                // An app (or a proxy library) may set them; they describe an HTTP/1.1 hop and must not travel.
                context.Response.Headers.Connection = "keep-alive";
                context.Response.Headers.KeepAlive = "timeout=5";
                context.Response.Headers.Upgrade = "h2c";
                context.Response.Headers["Proxy-Connection"] = "keep-alive";
                return "ok";
            });
        });

    [OneTimeTearDown]
    public async Task StopAsync() => await _host.DisposeAsync();

    /// <summary>§3.1: an empty message carries no frame and is a connection error (<c>ProtocolError</c>).</summary>
    [Test]
    public async Task AnEmptyMessageIsAProtocolError()
    {
        await using var raw = await RawConnection.OpenAsync(_host.WsRestEndpoint);

        await raw.SendBytesAsync([]);

        var (code, _) = await raw.ReceiveUntilClosedAsync();
        Assert.That(code, Is.EqualTo(WsRestErrorCode.ProtocolError));
    }

    /// <summary>§3.1, §4.3: a sender MUST NOT send a message larger than the receiver's <c>MaxMessageSize</c>.</summary>
    [Test]
    public async Task TheServerNeverSendsAMessageLargerThanTheClientsMaxMessageSize()
    {
        await using var raw = await RawConnection.OpenAsync(_host.WsRestEndpoint, handshake: false);
        await raw.HandshakeAsync(new PeerSettings { MaxMessageSize = PeerSettings.MinMessageSize });

        await raw.SendGetAsync(1, "/large");

        var body = 0;
        var largest = 0;
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var buffer = new byte[1 << 20];
        while (true)
        {
            var length = 0;
            ValueWebSocketReceiveResult result;
            do
            {
                result = await raw.Socket.ReceiveAsync(buffer.AsMemory(length), timeout.Token);
                length += result.Count;
            }
            while (!result.EndOfMessage);

            Assert.That(result.MessageType, Is.EqualTo(WebSocketMessageType.Binary));
            largest = Math.Max(largest, length);
            var end = false;
            var span = buffer.AsSpan(0, length);
            while (!span.IsEmpty && FrameCodec.TryReadFrame(span, out var frame, out var consumed))
            {
                span = span[consumed..];
                if (frame.StreamId == 1 && frame.Type is FrameType.Response or FrameType.Data)
                {
                    body += frame.Type == FrameType.Data ? frame.Payload.Length : 0;
                    end |= frame.EndStream;
                }
            }

            if (end)
            {
                break;
            }
        }

        Assert.That(largest, Is.LessThanOrEqualTo(PeerSettings.MinMessageSize), "largest message");
        Assert.That(body, Is.EqualTo(64 * 1024), "the whole body arrived, in DATA frames");
    }

    /// <summary>§3.2: reserved flag bits are ignored by the receiver (and END is tested as a bit, not by equality).</summary>
    [Test]
    public async Task ReservedFlagsAreIgnoredByTheReceiver()
    {
        await using var raw = await RawConnection.OpenAsync(_host.WsRestEndpoint);

        await raw.SendFrameAsync(FrameType.Request, FrameFlags.EndStream | (FrameFlags)0x80 | (FrameFlags)0x10, 1, RawConnection.EncodeGet("/ping"));

        var (status, body) = await raw.ReceiveResponseAsync(1);
        Assert.That(status, Is.EqualTo(200));
        Assert.That(System.Text.Encoding.UTF8.GetString(body), Is.EqualTo("pong"));
    }

    /// <summary>§8: a receiver MUST NOT fail because an error code is unknown; a CANCEL with one ends only its stream.</summary>
    [Test]
    public async Task AnUnknownErrorCodeInACancelEndsOnlyItsStream()
    {
        await using var raw = await RawConnection.OpenAsync(_host.WsRestEndpoint);
        await raw.SendGetAsync(1, "/hold");
        var cancel = new ArrayBufferWriter<byte>();
        ControlFrames.WriteCancel(cancel, 1, (WsRestErrorCode)4242);

        await raw.SendBytesAsync(cancel.WrittenSpan.ToArray());
        await raw.SendGetAsync(3, "/ping");

        var (status, body) = await raw.ReceiveResponseAsync(3);
        Assert.That(status, Is.EqualTo(200), "the connection still serves");
        Assert.That(System.Text.Encoding.UTF8.GetString(body), Is.EqualTo("pong"));
    }

    /// <summary>§5.3: senders MUST NOT send the hop-by-hop headers (here the server, for headers its app set).</summary>
    [Test]
    public async Task HopByHopHeadersAreNotSentInAResponse()
    {
        await using var raw = await RawConnection.OpenAsync(_host.WsRestEndpoint);
        await raw.SendGetAsync(1, "/hop-by-hop");

        var (_, _, _, payload) = await raw.ReceiveFrameAsync(FrameType.Response, 1);

        var head = new ResponseHead();
        head.Read(payload, int.MaxValue);
        var names = head.Headers.Select(static h => h.Key.ToLowerInvariant()).ToList();
        Assert.That(head.StatusCode, Is.EqualTo(200));
        Assert.That(names.Intersect(["connection", "keep-alive", "proxy-connection", "te", "transfer-encoding", "upgrade", "host"]), Is.Empty, string.Join(", ", names));
    }

    /// <summary>
    /// §10.1: a peer MUST NOT send a pub/sub frame to a peer that did not announce <c>PubSub</c> = 1. Such a frame
    /// would close the connection (the server claims no pub/sub frame type), so the connection surviving the
    /// refused calls shows nothing was sent.
    /// </summary>
    [Test]
    public async Task AClientSendsNoPubSubFrameToAServerThatDidNotOfferPubSub()
    {
        await using var host = await TestHost.StartAsync(app => app.MapGet("/ping", () => "pong"), o => o.PubSub.Enabled = false);
        var client = await host.ConnectAsync();
        var connectionId = client.ConnectionId;

        Assert.ThrowsAsync<NotSupportedException>(() => client.SubscribeAsync("pets/created", (_, _) => ValueTask.CompletedTask));
        Assert.ThrowsAsync<NotSupportedException>(() => client.PublishAsync("pets/created", "x"u8.ToArray()));

        using var http = new HttpClient(new WsRest.Client.WebSocketMessageHandler(client)) { BaseAddress = new Uri("http://wsrest/") };
        Assert.That(await http.GetStringAsync("ping"), Is.EqualTo("pong"));
        Assert.That(client.ConnectionId, Is.EqualTo(connectionId), "still the first connection");
    }
}
