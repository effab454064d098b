using System.Net.WebSockets;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using WsRest.Server;
using WsRest.Tests.Infrastructure;

namespace WsRest.Tests.Json;

/// <summary>
/// docs/protocol.md §13.7 and more, replayed against a real server by <see cref="JsonSocket"/> (a bare
/// WebSocket and System.Text.Json): the server's replies are checked against the spec's text.
/// </summary>
public class JsonConformanceTests
{
    private TestHost _host = null!;
    private TaskCompletionSource<bool> _holdAborted = null!;

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        _host = await TestHost.StartAsync(
            app =>
            {
                app.MapGet("/pets/1", () => Results.Json(new { id = 1 }));
                app.MapPost("/pets", (PetInput pet) => Results.Created("/pets/8", new { id = 8, name = pet.Name }));
                app.MapPost("/echo", async (HttpContext context) =>
                {
                    context.Response.ContentType = "application/octet-stream";
                    await context.Request.Body.CopyToAsync(context.Response.Body, context.RequestAborted);
                });
                app.MapGet("/hold", async (CancellationToken aborted) =>
                {
                    try
                    {
                        await Task.Delay(Timeout.Infinite, aborted);
                    }
                    finally
                    {
                        _holdAborted.TrySetResult(aborted.IsCancellationRequested);
                    }
                });
                app.MapGet("/broken", async (HttpContext context) =>
                {
                    context.Response.ContentType = "text/plain";
                    await context.Response.WriteAsync("partial", context.RequestAborted);
                    await context.Response.Body.FlushAsync(context.RequestAborted);
                    throw new InvalidOperationException("the handler failed after it started its response");
                });
            },
            o => o.PubSub.ReplayBufferSize = 5);
    }

    [SetUp]
    public void Reset() => _holdAborted = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);

    [OneTimeTearDown]
    public async Task StopAsync() => await _host.DisposeAsync();

    [Test]
    public async Task TheExampleExchangeOfSection13Point7()
    {
        var publisher = _host.App.Services.GetRequiredService<IWsRestPublisher>();
        const string topic = "pets/created";
        for (var i = 1; i <= 42; i++)
        {
            await publisher.PublishAsJsonAsync(topic, new { id = i });
        }

        await using var socket = await JsonSocket.OpenAsync(_host.WsRestEndpoint);
        Assert.That(socket.Socket.SubProtocol, Is.EqualTo("wsrest.v1.json"));

        await socket.SendAsync("""{"t":"hello","v":1,"md":[["tenant","acme"]],"s":{"ps":1}}""");
        var welcome = await socket.NextAsync();
        JsonAssert.Contains("""{"t":"welcome","v":1}""", welcome);
        Assert.That((string?)welcome["id"], Does.Match("^[0-9a-f]{32}$"));
        JsonAssert.AreEqual("""{"mcs":100,"isw":262144,"icw":1048576,"mms":1048576,"mhl":65536,"hb":15000,"ps":2}""", welcome["s"]);
        Assert.That(socket.Received[0], Does.StartWith("{"), "a handshake message is one object, never an array");
        await socket.SendAsync("""{"t":"ready"}""");

        await socket.SendAsync("""{"uid":1,"m":"GET","r":"/pets/1","h":[["accept","application/json"]]}""");
        var (response, body) = await ReadResponseAsync(socket);
        JsonAssert.Contains("""{"uid":1,"c":200,"d":{"id":1}}""", response);
        Assert.That(body, Is.EqualTo("""{"id":1}"""u8.ToArray()));
        JsonAssert.HasHeader(response, "content-type", "application/json; charset=utf-8");
        Assert.That(response.ContainsKey("t") || response.ContainsKey("de"), Is.False, $"t and de are omitted when implied: {response.ToJsonString()}");

        var connection = _host.Registry.Connections.Single(c => c.Id == (string?)welcome["id"]);
        Assert.That(connection.Metadata["tenant"], Is.EqualTo("acme"));

        await socket.SendAsync("""{"t":"sub","uid":3,"topic":"pets/created"}""");
        JsonAssert.AreEqual("""{"t":"ack","uid":3,"k":"subscribed","seq":42}""", await socket.NextAsync());
        await publisher.PublishAsJsonAsync(topic, new { id = 7 });
        JsonAssert.AreEqual("""{"t":"event","uid":3,"seq":43,"ct":"application/json","d":{"id":7}}""", await socket.NextAsync());

        // A resume from a sequence older than the replay buffer (5 events) gets a gap notice first.
        await socket.SendAsync("""{"t":"sub","uid":9,"topic":"pets/created","from":1}""");
        JsonAssert.AreEqual("""{"t":"gap","uid":9,"from":1,"to":38}""", await socket.NextAsync());
        for (var sequence = 39; sequence <= 43; sequence++)
        {
            JsonAssert.Contains($$"""{"t":"event","uid":9,"seq":{{sequence}}}""", await socket.NextAsync());
        }

        JsonAssert.AreEqual("""{"t":"ack","uid":9,"k":"subscribed","seq":43}""", await socket.NextAsync());

        await socket.SendAsync("""{"t":"ping","p":"0000000000000001"}""");
        JsonAssert.AreEqual("""{"t":"pong","p":"0000000000000001"}""", await socket.NextAsync());

        await socket.SendAsync("""{"uid":5,"m":"POST","r":"/pets","h":[["content-type","application/json"]],"d":{"name":"Rex"}}""");
        var (created, _) = await ReadResponseAsync(socket, uid: 5);
        JsonAssert.Contains("""{"uid":5,"c":201,"d":{"id":8,"name":"Rex"}}""", created);
        JsonAssert.HasHeader(created, "content-type", "application/json; charset=utf-8");
        JsonAssert.HasHeader(created, "location", "/pets/8");

        // The server calls the browser (§13.4, docs/reverse.md).
        using var reverse = connection.CreateHttpClient(new Uri("http://client/"));
        var call = reverse.GetAsync("/status");
        var request = await socket.NextAsync();
        JsonAssert.Contains("""{"uid":2,"m":"GET","r":"/status"}""", request);
        await socket.SendAsync("""{"uid":2,"c":200,"h":[["content-type","text/plain"]],"d":"ok"}""");
        using (var answer = await call.WaitAsync(TimeSpan.FromSeconds(30)))
        {
            Assert.That((int)answer.StatusCode, Is.EqualTo(200));
            Assert.That(await answer.Content.ReadAsStringAsync(), Is.EqualTo("ok"));
        }

        // Cancel from the client: the handler's RequestAborted fires.
        await socket.SendAsync("""{"uid":7,"m":"GET","r":"/hold"}""");
        await socket.SendAsync("""{"t":"cancel","uid":7,"code":5}""");
        Assert.That(await _holdAborted.Task.WaitAsync(TimeSpan.FromSeconds(30)), Is.True);
    }

    [Test]
    public async Task AStreamedBodyGoesInDataFramesWithFlowControl()
    {
        await using var socket = await JsonSocket.OpenAsync(_host.WsRestEndpoint);
        await socket.HandshakeAsync();
        await socket.SendAsync("""{"uid":1,"m":"POST","r":"/echo","h":[["content-type","application/octet-stream"]],"e":false}""");

        // 192 KiB: more than half of the stream window (256 KiB), so the server must return credit.
        var sent = new MemoryStream();
        var chunk = new byte[16 * 1024];
        for (var i = 0; i < 12; i++)
        {
            Array.Fill(chunk, (byte)(i + 1));
            sent.Write(chunk);
            await socket.SendAsync($$"""{"t":"data","uid":1,"d":"{{Convert.ToBase64String(chunk)}}","de":"base64"}""");
        }

        // The server has consumed more than half of the stream window: it returns credit before the body ends.
        var before = new List<JsonObject>();
        var window = await socket.NextAsync(f => (string?)f["t"] == "window" && (int?)f["uid"] == 1, before);
        Assert.That((int)window["n"]!, Is.GreaterThanOrEqualTo(128 * 1024));

        await socket.SendAsync("""{"t":"data","uid":1,"d":"tail","e":true}""");
        sent.Write("tail"u8);

        var received = new MemoryStream();
        var frames = new Queue<JsonObject>(before.Where(f => (string?)f["t"] != "window"));
        var head = frames.Count > 0 ? frames.Dequeue() : await socket.NextAsync(f => f.ContainsKey("c"));
        JsonAssert.Contains("""{"uid":1,"c":200}""", head);
        Append(received, head);
        var ended = head["e"] is null;
        while (!ended)
        {
            var frame = frames.Count > 0 ? frames.Dequeue() : await socket.NextAsync();
            if ((string?)frame["t"] == "window")
            {
                continue;
            }

            JsonAssert.Contains("""{"t":"data","uid":1}""", frame);
            Append(received, frame);
            ended = (bool?)frame["e"] == true;
        }

        Assert.That(received.ToArray(), Is.EqualTo(sent.ToArray()));
    }

    [Test]
    public async Task TheServerCancelsAStreamWhoseHandlerFailed()
    {
        await using var socket = await JsonSocket.OpenAsync(_host.WsRestEndpoint);
        await socket.HandshakeAsync();
        await socket.SendAsync("""{"uid":1,"m":"GET","r":"/broken"}""");
        var head = await socket.NextAsync();
        JsonAssert.Contains("""{"uid":1,"c":200,"e":false}""", head);
        var cancel = await socket.NextAsync(f => (string?)f["t"] == "cancel");
        JsonAssert.AreEqual("""{"t":"cancel","uid":1,"code":2}""", cancel);

        // Only that stream ended: the connection still serves.
        await socket.SendAsync("""{"uid":3,"m":"GET","r":"/pets/1"}""");
        var (other, _) = await ReadResponseAsync(socket, uid: 3);
        JsonAssert.Contains("""{"uid":3,"c":200,"d":{"id":1}}""", other);
    }

    [Test]
    public async Task ClosingTheConnectionSendsGoAway()
    {
        await using var socket = await JsonSocket.OpenAsync(_host.WsRestEndpoint);
        var welcome = await socket.HandshakeAsync();
        await socket.SendAsync("""{"uid":1,"m":"GET","r":"/pets/1"}""");
        await ReadResponseAsync(socket);
        var connection = _host.Registry.Connections.Single(c => c.Id == (string?)welcome["id"]);
        var closing = connection.CloseAsync();
        var (status, frames) = await socket.ReceiveUntilCloseAsync();
        await closing.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.That(frames, Has.Count.EqualTo(1), string.Join(" ", frames.Select(f => f.ToJsonString())));
        JsonAssert.Contains("""{"t":"goaway","last":1,"code":9}""", frames[0]);
        Assert.That(status, Is.EqualTo(WebSocketCloseStatus.EndpointUnavailable));
    }

    [Test]
    public async Task UnsubscribeAndPublishAreAcknowledged()
    {
        await using var socket = await JsonSocket.OpenAsync(_host.WsRestEndpoint);
        await socket.HandshakeAsync();
        await socket.SendAsync("""{"t":"sub","uid":1,"topic":"chat/general"}""");
        JsonAssert.Contains("""{"t":"ack","uid":1,"k":"subscribed"}""", await socket.NextAsync());
        await socket.SendAsync("""{"t":"unsub","uid":1}""");
        JsonAssert.AreEqual("""{"t":"ack","uid":1,"k":"unsubscribed"}""", await socket.NextAsync());

        // Clients may not publish by default (AuthorizePublish unset): the publish is refused, with a reason.
        await socket.SendAsync("""{"t":"pub","uid":2,"topic":"chat/general","ct":"text/plain","d":"hi"}""");
        var ack = await socket.NextAsync();
        JsonAssert.Contains("""{"t":"ack","uid":2,"k":"refused"}""", ack);
        Assert.That((string?)ack["reason"], Is.Not.Empty);
    }

    [Test]
    public async Task TheServerPrefersTheClientsFirstChoice()
    {
        await using (var json = await JsonSocket.OpenAsync(_host.WsRestEndpoint, "wsrest.v1.json", "wsrest.v1"))
        {
            Assert.That(json.Socket.SubProtocol, Is.EqualTo("wsrest.v1.json"));
        }

        await using var binary = await JsonSocket.OpenAsync(_host.WsRestEndpoint, "wsrest.v1", "wsrest.v1.json");
        Assert.That(binary.Socket.SubProtocol, Is.EqualTo("wsrest.v1"));
    }

    [Test]
    public async Task ATextBodyAndABinaryBodyTakeTheirForms()
    {
        await using var socket = await JsonSocket.OpenAsync(_host.WsRestEndpoint);
        await socket.HandshakeAsync();
        await socket.SendAsync("""{"uid":1,"m":"POST","r":"/echo","d":"AAEC/w==","de":"base64"}""");
        var (binary, bytes) = await ReadResponseAsync(socket);
        JsonAssert.Contains("""{"uid":1,"c":200,"d":"AAEC/w==","de":"base64"}""", binary);
        Assert.That(bytes, Is.EqualTo(new byte[] { 0, 1, 2, 255 }));

        await socket.SendAsync("""{"uid":3,"m":"POST","r":"/echo","d":{"a":[1, 2.50]},"de":"json"}""");
        var (echoed, source) = await ReadResponseAsync(socket, uid: 3);
        // application/octet-stream: sent as base64 of the exact source text of the value.
        Assert.That((string?)echoed["de"], Is.EqualTo("base64"));
        Assert.That(Encoding.UTF8.GetString(source), Is.EqualTo("""{"a":[1, 2.50]}"""));
    }

    /// <summary>
    /// The RESPONSE for <paramref name="uid"/> and its whole body: inline, then DATA frames until <c>e</c>
    /// (the server may end a body with an empty DATA frame after an inline part, as in the binary encoding).
    /// </summary>
    private static async Task<(JsonObject Head, byte[] Body)> ReadResponseAsync(JsonSocket socket, int uid = 1)
    {
        var head = await socket.NextAsync(f => (int?)f["uid"] == uid && f.ContainsKey("c"));
        var body = new MemoryStream();
        Append(body, head);
        var ended = (bool?)head["e"] != false;
        while (!ended)
        {
            var frame = await socket.NextAsync(f => (int?)f["uid"] == uid && (string?)f["t"] is "data" or "cancel");
            Assert.That((string?)frame["t"], Is.EqualTo("data"), frame.ToJsonString());
            Append(body, frame);
            ended = (bool?)frame["e"] == true;
        }

        return (head, body.ToArray());
    }

    private static void Append(MemoryStream body, JsonObject frame)
    {
        if (frame["d"] is not { } data)
        {
            return;
        }

        var bytes = (string?)frame["de"] switch
        {
            "base64" => Convert.FromBase64String((string)data!),
            "json" => Encoding.UTF8.GetBytes(data.ToJsonString()),
            _ when data.GetValueKind() == System.Text.Json.JsonValueKind.String => Encoding.UTF8.GetBytes((string)data!),
            _ => Encoding.UTF8.GetBytes(data.ToJsonString()),
        };
        body.Write(bytes);
    }

    private sealed record PetInput(string Name);
}
