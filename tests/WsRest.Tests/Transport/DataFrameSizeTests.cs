using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using WsRest.Protocol;
using WsRest.Tests.Infrastructure;
using WsRest.Tests.Json;

namespace WsRest.Tests.Transport;

/// <summary>
/// How a large body is cut into DATA frames (issue 17, docs/protocol.md §5.3): up to 64 KiB per frame on
/// <c>wsrest.v1</c>, within the message limit the receiver announced; 16 KiB on <c>wsrest.v1.json</c>,
/// whose base64 bodies are a third larger. Seen from a hand-driven client, which sees every frame.
/// </summary>
public class DataFrameSizeTests
{
    // Within the default stream window (256 KiB), so the server sends it all without waiting for a WINDOW.
    private const int BodySize = 200 * 1024;

    private TestHost _host = null!;

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        _host = await TestHost.StartAsync(app => app.MapGet("/bytes", async (HttpContext context) =>
        {
            // One write of the whole body: how it is cut into frames is the engine's choice alone.
            var body = new byte[BodySize];
            for (var i = 0; i < body.Length; i++)
            {
                body[i] = (byte)(i % 251);
            }

            context.Response.ContentLength = body.Length;
            await context.Response.Body.WriteAsync(body, context.RequestAborted);
        }));
    }

    [OneTimeTearDown]
    public async Task StopAsync() => await _host.DisposeAsync();

    [Test]
    public async Task ALargeBodyGoesOutInDataFramesOf64KiB()
    {
        await using var raw = await RawConnection.OpenAsync(_host.WsRestEndpoint);
        var data = await DownloadAsync(raw);

        Assert.That(data.Sum(), Is.EqualTo(BodySize));
        Assert.That(data.Max(), Is.EqualTo(64 * 1024), "frames are as large as the default allows");
        Assert.That(data.Count(n => n > 0), Is.EqualTo((BodySize + 64 * 1024 - 1) / (64 * 1024)), "no frame is smaller than it had to be");
    }

    [Test]
    public async Task DataFramesAndMessagesStayWithinTheMessageLimitTheReceiverAnnounced()
    {
        const int Limit = 20 * 1024;
        await using var raw = await RawConnection.OpenAsync(_host.WsRestEndpoint, handshake: false);
        await raw.HandshakeAsync(new PeerSettings { MaxMessageSize = Limit });
        var messages = new List<int>();
        var data = await DownloadAsync(raw, messages);

        Assert.That(data.Sum(), Is.EqualTo(BodySize));
        Assert.That(data.Max(), Is.EqualTo(Limit - FrameCodec.MaxHeaderLength), "a frame fills what one message may carry, no more");
        Assert.That(messages.Max(), Is.LessThanOrEqualTo(Limit), "no message exceeds the announced limit");
    }

    [Test]
    public async Task AJsonConnectionKeepsDataFramesAt16KiB()
    {
        await using var socket = await JsonSocket.OpenAsync(_host.WsRestEndpoint);
        await socket.HandshakeAsync();
        await socket.SendAsync("""{"uid":1,"m":"GET","r":"/bytes"}""");

        var sizes = new List<int>();
        var head = await socket.NextAsync(f => f.ContainsKey("c"));
        Assert.That((int)head["c"]!, Is.EqualTo(200));
        var ended = head["e"] is null;
        while (!ended)
        {
            var frame = await socket.NextAsync(f => (string?)f["t"] == "data" && (int?)f["uid"] == 1);
            sizes.Add(Convert.FromBase64String((string)frame["d"]!).Length);
            ended = (bool?)frame["e"] == true;
        }

        Assert.That(sizes.Sum(), Is.EqualTo(BodySize));
        Assert.That(sizes.Max(), Is.EqualTo(16 * 1024), "as before larger frames came to wsrest.v1");
    }

    /// <summary>GET /bytes on stream 1; the payload length of each DATA frame, and of each message if asked.</summary>
    private static async Task<List<int>> DownloadAsync(RawConnection raw, List<int>? messageSizes = null)
    {
        await raw.SendGetAsync(1, "/bytes");
        var data = new List<int>();
        while (true)
        {
            var frames = await raw.ReceiveFramesAsync() ?? throw new InvalidOperationException("The server closed the connection before the body ended.");
            messageSizes?.Add(frames.Sum(f => FrameCodec.GetHeaderLength(f.StreamId, f.Payload.Length) + f.Payload.Length));
            foreach (var (type, flags, streamId, payload) in frames)
            {
                if (streamId != 1)
                {
                    continue;
                }

                if (type == FrameType.Response)
                {
                    var head = new ResponseHead();
                    Assert.That(head.Read(payload, int.MaxValue).Length, Is.Zero, "the body does not start inline");
                    Assert.That(head.StatusCode, Is.EqualTo(200));
                }
                else if (type == FrameType.Data)
                {
                    data.Add(payload.Length);
                }

                if ((flags & FrameFlags.EndStream) != 0)
                {
                    return data;
                }
            }
        }
    }
}
