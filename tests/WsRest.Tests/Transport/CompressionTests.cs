using System.Net;
using System.Net.WebSockets;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using WsRest.Client;
using WsRest.Protocol;
using WsRest.Server;
using WsRest.Tests.Infrastructure;

namespace WsRest.Tests.Transport;

/// <summary>
/// permessage-deflate (RFC 7692) is opt-in on both sides: negotiated only when the client offers it and
/// the server allows it; bodies survive it intact; it really shrinks the bytes on the wire; and the
/// message size limit applies to the inflated message, so a compression bomb closes the connection.
/// </summary>
public class CompressionTests
{
    private const string ExtensionsHeader = "Sec-WebSocket-Extensions";

    // Roughly the load program's GET /small: a 100-byte JSON document, the same every time.
    private static readonly string Item = "{\"id\":42,\"name\":\"Ada Lovelace\",\"email\":\"ada@example.com\",\"tags\":[\"math\",\"engines\"],\"active\":true}";

    [Test]
    public async Task TheExtensionIsNegotiatedWhenBothSidesEnableIt()
    {
        await using var host = await StartHostAsync(allowCompression: true);
        using var upgrade = new UpgradeRecorder();

        using var http = await host.CreateWsRestHttpClientAsync(o =>
        {
            o.DeflateOptions = new WebSocketDeflateOptions();
            o.WebSocketInvoker = upgrade.Invoker;
        });

        Assert.That(await http.GetStringAsync("/item"), Is.EqualTo(Item));
        using (Assert.EnterMultipleScope())
        {
            Assert.That(upgrade.Offered, Does.StartWith("permessage-deflate"), "the client's upgrade request offers the extension");
            Assert.That(upgrade.Accepted, Does.StartWith("permessage-deflate"), "the server's 101 response accepts it");
            Assert.That(upgrade.Accepted, Does.Not.Contain("server_no_context_takeover"), "the server keeps its context (the point of compressing small messages)");
        }
    }

    [TestCase(true, false, TestName = "NotNegotiatedWhenOnlyTheServerAllowsIt")]
    [TestCase(false, true, TestName = "NotNegotiatedWhenOnlyTheClientOffersIt")]
    [TestCase(false, false, TestName = "NotNegotiatedByDefault")]
    public async Task TheExtensionIsNotNegotiatedUnlessBothSidesEnableIt(bool serverAllows, bool clientOffers)
    {
        await using var host = await StartHostAsync(allowCompression: serverAllows);
        using var upgrade = new UpgradeRecorder();

        using var http = await host.CreateWsRestHttpClientAsync(o =>
        {
            o.DeflateOptions = clientOffers ? new WebSocketDeflateOptions() : null;
            o.WebSocketInvoker = upgrade.Invoker;
        });

        Assert.That(await http.GetStringAsync("/item"), Is.EqualTo(Item));
        using (Assert.EnterMultipleScope())
        {
            Assert.That(upgrade.Offered, clientOffers ? Does.StartWith("permessage-deflate") : Is.Null, "the offer follows the client's option");
            Assert.That(upgrade.Accepted, Is.Null, "no extension in the 101 response");
        }
    }

    [TestCase(false, TestName = "EightMebibytesOfRandomBytesRoundTripCompressed")]
    [TestCase(true, TestName = "EightMebibytesOfCompressibleBytesRoundTripCompressed")]
    public async Task LargeBodiesRoundTripWithCompression(bool compressible)
    {
        const int Size = 8 << 20;
        await using var host = await StartHostAsync(allowCompression: true);
        await using var proxy = FaultProxy.Start(host.WsRestEndpoint);
        using var http = await host.CreateWsRestHttpClientAsync(o =>
        {
            o.Endpoint = proxy.WsUri("/wsrest");
            o.DeflateOptions = new WebSocketDeflateOptions();
        });
        var body = compressible ? CompressibleBytes(Size) : RandomNumberGenerator.GetBytes(Size);
        var up0 = proxy.BytesUpstream;

        using var response = await http.PostAsync("/echo", new ByteArrayContent(body));
        var echoed = await response.Content.ReadAsByteArrayAsync();

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(echoed.Length, Is.EqualTo(Size));
        Assert.That(SHA256.HashData(echoed), Is.EqualTo(SHA256.HashData(body)), "the echoed body is byte for byte the one sent");
        var up = proxy.BytesUpstream - up0;
        TestContext.Progress.WriteLine($"{(compressible ? "compressible" : "random")} 8 MiB upload: {up:N0} bytes on the wire");
        if (compressible)
        {
            Assert.That(up, Is.LessThan(Size / 4), "a compressible upload is sent compressed");
        }
        else
        {
            // Incompressible data costs deflate's stored-block overhead only (a few bytes per 16 KiB).
            Assert.That(up, Is.InRange(Size, Size + (Size / 50)), "random bytes cross the wire at about their own size");
        }
    }

    [Test]
    public async Task CompressionShrinksTheBytesOnTheWireOfRepeatedSmallRequests()
    {
        const int Requests = 200;
        await using var host = await StartHostAsync(allowCompression: true);

        var plain = await MeasureWireBytesAsync(host, deflate: null, Requests);
        var compressed = await MeasureWireBytesAsync(host, deflate: new WebSocketDeflateOptions(), Requests);

        TestContext.Progress.WriteLine($"bytes per GET /item: {plain / (double)Requests:0.0} plain, {compressed / (double)Requests:0.0} with permessage-deflate");
        Assert.That(compressed, Is.LessThan(plain / 2), "with context takeover, repeated similar messages compress to a fraction");
    }

    [Test]
    public async Task ACompressedMessageThatInflatesPastTheLimitClosesTheConnection()
    {
        const int Limit = 64 * 1024;
        const int Fragment = 1 << 20;
        const int Fragments = 256; // 256 MiB of zeros once inflated, about 256 KB compressed
        await using var host = await StartHostAsync(allowCompression: true, o => o.MaxMessageSize = Limit);
        await using var proxy = FaultProxy.Start(host.WsRestEndpoint);
        using var bystander = await host.CreateWsRestHttpClientAsync(o => o.DeflateOptions = new WebSocketDeflateOptions());
        await using var events = host.Registry.WatchAsync().GetAsyncEnumerator();
        await using var raw = await RawConnection.OpenAsync(proxy.WsUri("/wsrest"), configure: o => o.DangerousDeflateOptions = new WebSocketDeflateOptions());
        var up0 = proxy.BytesUpstream;
        var allocated0 = GC.GetTotalAllocatedBytes(precise: true);

        var send = SendZerosAsync(raw.Socket, Fragment, Fragments);
        var (code, reason) = await raw.ReceiveUntilClosedAsync();
        var allocated = GC.GetTotalAllocatedBytes(precise: true) - allocated0;
        raw.Socket.Abort();
        await AssertSendStoppedAsync(send);
        TestContext.Progress.WriteLine($"bomb: {proxy.BytesUpstream - up0:N0} bytes on the wire, {allocated:N0} bytes allocated in the process meanwhile");

        // The server's own account of why it closed. The client's copy of the ERROR frame can be lost:
        // the server closes while the client is still sending, and TCP may then reset the connection
        // before the client has read what arrived.
        WsRestConnectionEvent failed;
        do
        {
            Assert.That(await events.MoveNextAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(30)), Is.True);
            failed = events.Current;
        }
        while (failed.Kind != WsRestConnectionEventKind.Failed);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(failed.Error, Is.InstanceOf<WsRestProtocolException>());
            Assert.That((failed.Error as WsRestProtocolException)?.ErrorCode, Is.EqualTo(WsRestErrorCode.MessageTooLarge));
            Assert.That(failed.Error!.Message, Does.Contain(Limit.ToString(System.Globalization.CultureInfo.InvariantCulture)));
            if (code is not null)
            {
                // When the ERROR frame did arrive, it says the same.
                Assert.That(code, Is.EqualTo(WsRestErrorCode.MessageTooLarge));
                Assert.That(reason, Does.Contain(Limit.ToString(System.Globalization.CultureInfo.InvariantCulture)));
            }

            Assert.That(proxy.BytesUpstream - up0, Is.LessThan((long)Fragment * Fragments / 100), "the bomb was small on the wire");

            // A server inflating the whole message would allocate at least 256 MiB; ours reads at most
            // the limit plus one byte. The bound is generous for everything else the process does meanwhile.
            Assert.That(allocated, Is.LessThan(64L << 20), "bytes allocated in the process while the bomb was handled");
        }

        Assert.That(await bystander.GetStringAsync("/item"), Is.EqualTo(Item), "another compressed connection is unaffected");
    }

    private static Task<TestHost> StartHostAsync(bool allowCompression, Action<WsRestServerOptions>? configure = null)
        => TestHost.StartAsync(
            app =>
            {
                app.MapGet("/item", () => Results.Text(Item, "application/json"));
                app.MapPost("/echo", async (HttpContext context) =>
                {
                    context.Features.Get<Microsoft.AspNetCore.Http.Features.IHttpMaxRequestBodySizeFeature>()!.MaxRequestBodySize = null;
                    await context.Request.Body.CopyToAsync(context.Response.Body, context.RequestAborted);
                });
            },
            o =>
            {
                o.Compression.Enabled = allowCompression;
                configure?.Invoke(o);
            });

    /// <summary>Both directions' bytes at the socket for <paramref name="requests"/> sequential GETs, after a warm-up.</summary>
    private static async Task<long> MeasureWireBytesAsync(TestHost host, WebSocketDeflateOptions? deflate, int requests)
    {
        await using var proxy = FaultProxy.Start(host.WsRestEndpoint);
        using var http = await host.CreateWsRestHttpClientAsync(o =>
        {
            o.Endpoint = proxy.WsUri("/wsrest");
            o.DeflateOptions = deflate;
        });
        for (var i = 0; i < 20; i++)
        {
            Assert.That(await http.GetStringAsync("/item"), Is.EqualTo(Item));
        }

        var before = proxy.BytesUpstream + proxy.BytesDownstream;
        for (var i = 0; i < requests; i++)
        {
            Assert.That(await http.GetStringAsync("/item"), Is.EqualTo(Item));
        }

        return proxy.BytesUpstream + proxy.BytesDownstream - before;
    }

    /// <summary>One binary message of zeros, sent in fragments so the sender never holds it whole.</summary>
    private static async Task SendZerosAsync(ClientWebSocket socket, int fragment, int fragments)
    {
        var zeros = new byte[fragment];
        for (var i = 0; i < fragments; i++)
        {
            await socket.SendAsync(zeros, WebSocketMessageType.Binary, endOfMessage: i == fragments - 1, CancellationToken.None);
        }
    }

    /// <summary>The sender either finished or failed because the server closed; it must not hang.</summary>
    private static async Task AssertSendStoppedAsync(Task send)
    {
        try
        {
            await send.WaitAsync(TimeSpan.FromSeconds(30));
        }
        catch (Exception ex) when (ex is WebSocketException or IOException or OperationCanceledException or ObjectDisposedException)
        {
            // Expected when the server closed before the whole bomb was written.
        }
    }

    /// <summary>Text that deflate shrinks well, but not to nothing: JSON-like lines with a counter.</summary>
    private static byte[] CompressibleBytes(int size)
    {
        var bytes = new byte[size];
        var line = 0;
        for (var offset = 0; offset < size; line++)
        {
            var text = Encoding.ASCII.GetBytes($"{{\"line\":{line},\"status\":\"ok\",\"payload\":\"abcdefghij\"}}\n");
            var count = Math.Min(text.Length, size - offset);
            text.AsSpan(0, count).CopyTo(bytes.AsSpan(offset));
            offset += count;
        }

        return bytes;
    }

    /// <summary>
    /// Sees the WebSocket upgrade as sent and answered (the client connects through it as its
    /// <see cref="WsRestClientOptions.WebSocketInvoker"/>): which extension was offered and which accepted.
    /// </summary>
    private sealed class UpgradeRecorder : DelegatingHandler
    {
        public UpgradeRecorder()
            : base(new SocketsHttpHandler { UseProxy = false })
        {
            Invoker = new HttpMessageInvoker(this);
        }

        public HttpMessageInvoker Invoker { get; }

        public string? Offered { get; private set; }

        public string? Accepted { get; private set; }

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            Offered = request.Headers.TryGetValues(ExtensionsHeader, out var offered) ? string.Join(", ", offered) : null;
            var response = await base.SendAsync(request, cancellationToken);
            Accepted = response.Headers.TryGetValues(ExtensionsHeader, out var accepted) ? string.Join(", ", accepted) : null;
            return response;
        }
    }
}
