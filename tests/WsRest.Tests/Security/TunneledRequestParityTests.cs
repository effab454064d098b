using System.Buffers;
using System.Net;
using System.Net.WebSockets;
using System.Security.Claims;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using WsRest.Engine;
using WsRest.Protocol;
using WsRest.Tests.Infrastructure;

namespace WsRest.Tests.Security;

/// <summary>
/// A tunneled request is no more powerful than an HTTP one (issue 19, items 3, 6 and 7): the Host is
/// the upgrade's, each request has its own principal, Content-Length binds the body as on Kestrel, and
/// what Kestrel answers 400 (two Host or Content-Length values, a NUL in the path) is 400 here too,
/// without reaching the app. Each attack runs beside a bystander connection that must keep working.
/// </summary>
public class TunneledRequestParityTests
{
    private TestHost _host = null!;
    private HttpClient _bystander = null!;

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        _host = await TestHost.StartAsync(app =>
        {
            app.Use(async (context, next) =>
            {
                // A step-up middleware: grants a claim to this one request.
                if (context.Request.Path == "/step-up")
                {
                    context.User.Identities.First().AddClaim(new Claim("mfa", "done"));
                }

                await next(context);
            });
            app.MapGet("/ping", () => "pong");
            app.MapGet("/host", (HttpContext context) => context.Request.Host.Value);
            app.MapGet("/admin", () => "admin").RequireHost("admin.internal");
            app.MapGet("/step-up", (HttpContext context) => context.User.HasClaim("mfa", "done") ? "stepped up" : "no");
            app.MapGet("/mfa", (HttpContext context) => context.User.HasClaim("mfa", "done") ? "mfa" : "none");
            app.MapPost("/read", async (HttpContext context) =>
            {
                try
                {
                    using var reader = new StreamReader(context.Request.Body);
                    var body = await reader.ReadToEndAsync();
                    return $"read {body.Length}";
                }
                catch (BadHttpRequestException ex)
                {
                    return $"failed {ex.StatusCode}";
                }
            });
        });
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

    [Test]
    public async Task AClientChosenHostDoesNotReachAHostFilteredEndpoint()
    {
        using var http = await _host.CreateWsRestHttpClientAsync();

        using var admin = new HttpRequestMessage(HttpMethod.Get, "/admin");
        admin.Headers.Host = "admin.internal";
        using var adminResponse = await http.SendAsync(admin);
        using var host = new HttpRequestMessage(HttpMethod.Get, "/host");
        host.Headers.Host = "admin.internal";
        var seenHost = await (await http.SendAsync(host)).Content.ReadAsStringAsync();

        Assert.That(adminResponse.StatusCode, Is.EqualTo(HttpStatusCode.NotFound), "RequireHost(\"admin.internal\") must not match a host the client wrote");
        Assert.That(seenHost, Is.EqualTo(_host.HttpAddress.Authority), "the app sees the upgrade's Host");
    }

    [Test]
    public async Task TheServerCanOptInToTheRequestsHost()
    {
        await using var host = await TestHost.StartAsync(
            app => app.MapGet("/host", (HttpContext context) => context.Request.Host.Value),
            o => o.AllowHostHeaderOverride = true);
        using var http = await host.CreateWsRestHttpClientAsync();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/host");
        request.Headers.Host = "tenant.example";

        Assert.That(await (await http.SendAsync(request)).Content.ReadAsStringAsync(), Is.EqualTo("tenant.example"));
        Assert.That(await http.GetStringAsync("/host"), Is.EqualTo(host.HttpAddress.Authority), "without a Host of its own a request has the upgrade's");
    }

    [Test]
    public async Task TwoHostValuesAre400WithoutReachingTheApp()
    {
        await using var raw = await RawConnection.OpenAsync(_host.WsRestEndpoint);

        var status = await SendAsync(raw, 1, "GET", "/anything", [new("host", "a.example"), new("host", "b.example")], []);

        Assert.That(status, Is.EqualTo((400, string.Empty)));
    }

    [Test]
    public async Task AClaimAddedForOneRequestDoesNotLeakIntoTheNext()
    {
        using var http = await _host.CreateWsRestHttpClientAsync();
        using var plain = _host.CreatePlainHttpClient();

        Assert.That(await http.GetStringAsync("/step-up"), Is.EqualTo("stepped up"), "the claim holds for the request it was added to");
        Assert.That(await http.GetStringAsync("/mfa"), Is.EqualTo("none"), "over WsRest the next request must not inherit it");
        Assert.That(await plain.GetStringAsync("/step-up"), Is.EqualTo("stepped up"));
        Assert.That(await plain.GetStringAsync("/mfa"), Is.EqualTo("none"), "the HTTP reference");
    }

    [Test]
    public async Task TheAppReadsNoMoreThanTheDeclaredContentLength()
    {
        await using var raw = await RawConnection.OpenAsync(_host.WsRestEndpoint);

        var result = await SendAsync(raw, 1, "POST", "/read", [new("content-length", "10")], new byte[1000]);

        Assert.That(result, Is.EqualTo((200, "read 10")));
    }

    [Test]
    public async Task ABodyShorterThanItsContentLengthFailsTheRead()
    {
        await using var raw = await RawConnection.OpenAsync(_host.WsRestEndpoint);

        var result = await SendAsync(raw, 1, "POST", "/read", [new("content-length", "1000")], new byte[10]);

        Assert.That(result, Is.EqualTo((200, "failed 400")), "as on Kestrel, the read fails with a 400 BadHttpRequestException");
    }

    [Test]
    public async Task TwoContentLengthValuesAre400()
    {
        await using var raw = await RawConnection.OpenAsync(_host.WsRestEndpoint);

        var result = await SendAsync(raw, 1, "POST", "/read", [new("content-length", "3"), new("content-length", "3")], "abc"u8.ToArray());

        Assert.That(result, Is.EqualTo((400, string.Empty)));
    }

    [Test]
    public async Task AnEncodedNulInThePathIs400OnBothTransports()
    {
        using var http = await _host.CreateWsRestHttpClientAsync();
        using var plain = _host.CreatePlainHttpClient();

        using var overHttp = await plain.GetAsync("/a%00b");
        using var overWsRest = await http.GetAsync("/a%00b");

        Assert.That(overHttp.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest), "the Kestrel reference");
        Assert.That(overWsRest.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.That(await overWsRest.Content.ReadAsStringAsync(), Is.Empty, "the app never ran");
    }

    [TestCase("device\r\nx-admin: true")]
    [TestCase("a\0b")]
    public async Task MetadataWithControlCharactersFailsTheHandshake(string value)
    {
        await using var raw = await RawConnection.OpenAsync(_host.WsRestEndpoint, handshake: false);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var hello = new HelloFrame(WsRestProtocol.Version, new PeerSettings(), [new("device", value)], null);

        await HandshakeChannel.SendAsync(raw.Socket, FrameType.Hello, hello.Write, timeout.Token);
        var (code, reason) = await raw.ReceiveUntilClosedAsync();

        Assert.That(code, Is.EqualTo(WsRestErrorCode.ProtocolError));
        Assert.That(reason, Does.Contain("control character"));
        Assert.That(raw.Socket.CloseStatus, Is.EqualTo(WebSocketCloseStatus.ProtocolError));
    }

    /// <summary>Sends one REQUEST with END and an inline body; returns the response's status and body.</summary>
    private static async Task<(int Status, string Body)> SendAsync(RawConnection raw, ulong streamId, string method, string path, KeyValuePair<string, string>[] headers, byte[] body)
    {
        var payload = new ArrayBufferWriter<byte>();
        RequestHead.WriteStart(payload, method, path);
        foreach (var (name, value) in headers)
        {
            HeaderCodec.WriteHeader(payload, name, value);
        }

        HeaderCodec.WriteEnd(payload);
        payload.Write(body);
        await raw.SendFrameAsync(FrameType.Request, FrameFlags.EndStream, streamId, payload.WrittenSpan);

        var (status, responseBody) = await raw.ReceiveResponseAsync(streamId);
        return (status, Encoding.UTF8.GetString(responseBody));
    }
}
