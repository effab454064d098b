using System.Net;
using System.Net.Security;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using WsRest.Client;
using WsRest.Server;
using WsRest.Tests.Infrastructure;

namespace WsRest.Tests.Security;

/// <summary>wss://: Kestrel on HTTPS with a certificate made in the test; the client validates it.</summary>
public class TlsTests
{
    private X509Certificate2 _certificate = null!;
    private WebApplication _app = null!;
    private Uri _httpsAddress = null!;
    private Uri _wssEndpoint = null!;

    private string Thumbprint => _certificate.GetCertHashString();

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        _certificate = SelfSignedCertificate.Create();
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.Logging.AddProvider(new TestLoggerProvider());
        builder.WebHost.UseShutdownTimeout(TimeSpan.FromSeconds(20));
        builder.WebHost.UseKestrelHttpsConfiguration();
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0, listen => listen.UseHttps(_certificate)));
        builder.Services.AddWsRest();
        _app = builder.Build();
        _app.MapGet("/tls", (HttpContext context) => string.Join('|',
            $"https={context.Request.IsHttps}",
            $"scheme={context.Request.Scheme}",
            $"tls={context.Features.Get<ITlsConnectionFeature>() is not null}",
            $"tunneled={context.Features.Get<IWsRestConnectionFeature>() is not null}"));
        _app.MapGet("/tls-handshake", (HttpContext context) => context.Features.Get<ITlsHandshakeFeature>() is { } handshake
            ? $"{handshake.Protocol}|{handshake.NegotiatedCipherSuite}"
            : "none");
        _app.MapWsRest("/wsrest");
        await _app.StartAsync();
        var address = _app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        _httpsAddress = new Uri(address.EndsWith('/') ? address : address + "/");
        _wssEndpoint = new Uri($"wss://{_httpsAddress.Authority}/wsrest");
    }

    [OneTimeTearDown]
    public async Task StopAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await _app.StopAsync(timeout.Token);
        await _app.DisposeAsync();
        _certificate.Dispose();
    }

    [Test]
    public void ServerListensOnHttps()
    {
        Assert.That(_httpsAddress.Scheme, Is.EqualTo(Uri.UriSchemeHttps));
        Assert.That(_httpsAddress.Host, Is.EqualTo("127.0.0.1"));
    }

    [Test]
    public async Task ClientThatValidatesTheCertificateConnectsOverWss()
    {
        string? validated = null;
        await using var client = new WsRestClient(new WsRestClientOptions
        {
            Endpoint = _wssEndpoint,
            ConfigureWebSocket = ws => ws.RemoteCertificateValidationCallback = (_, certificate, _, errors) =>
            {
                validated = certificate?.GetCertHashString();

                // The chain is untrusted (self-signed) but the name matches 127.0.0.1: only the pinned hash makes it acceptable.
                return errors == SslPolicyErrors.RemoteCertificateChainErrors && validated == Thumbprint;
            },
        });
        using (var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30)))
        {
            await client.ConnectAsync(timeout.Token);
        }

        Assert.That(validated, Is.EqualTo(Thumbprint), "the callback saw the server's certificate");
        Assert.That(client.ConnectionId, Does.Match("^[0-9a-f]{32}$"));
        using var http = new HttpClient(new WebSocketMessageHandler(client)) { BaseAddress = _httpsAddress, Timeout = TimeSpan.FromSeconds(60) };
        Assert.That(await http.GetStringAsync("/tls"), Is.EqualTo("https=True|scheme=https|tls=True|tunneled=True"));
    }

    [Test]
    public async Task TunneledRequestSeesTheSameTlsAsAPlainHttpsRequest()
    {
        var (overHttps, overWss) = await GetOverHttpsAndWssAsync("/tls");

        Assert.That(overHttps, Is.EqualTo("https=True|scheme=https|tls=True|tunneled=False"));
        Assert.That(overWss, Is.EqualTo("https=True|scheme=https|tls=True|tunneled=True"));
    }

    [Test]
    public async Task TunneledRequestSeesTheSameTlsHandshakeAsAPlainHttpsRequest()
    {
        var (overHttps, overWss) = await GetOverHttpsAndWssAsync("/tls-handshake");

        // ITlsHandshakeFeature (protocol, cipher suite) is what apps check to require e.g. TLS 1.2+.
        Assert.That(overHttps, Does.StartWith("Tls"));
        Assert.That(overWss, Is.EqualTo(overHttps), "the tunneled request sees the upgrade's TLS handshake");
    }

    [Test]
    public async Task DefaultValidationRefusesTheUntrustedCertificate()
    {
        await using var client = new WsRestClient(new WsRestClientOptions { Endpoint = _wssEndpoint });
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));

        var error = Assert.CatchAsync<HttpRequestException>(() => client.ConnectAsync(timeout.Token));

        Assert.That(error!.HttpRequestError, Is.EqualTo(HttpRequestError.ConnectionError), error.ToString());
        Assert.That(Chain(error).OfType<AuthenticationException>(), Is.Not.Empty, "the TLS handshake failed on the certificate: " + error);
        Assert.That(client.ConnectionId, Is.Null);
    }

    [Test]
    public async Task ValidationPinnedToAnotherCertificateRefusesTheServer()
    {
        using var other = SelfSignedCertificate.Create();
        var otherThumbprint = other.GetCertHashString();
        await using var client = new WsRestClient(new WsRestClientOptions
        {
            Endpoint = _wssEndpoint,
            ConfigureWebSocket = ws => ws.RemoteCertificateValidationCallback = (_, certificate, _, _) => certificate?.GetCertHashString() == otherThumbprint,
        });
        using var http = new HttpClient(new WebSocketMessageHandler(client)) { BaseAddress = _httpsAddress, Timeout = TimeSpan.FromSeconds(60) };

        // The first request connects, and fails with the connection.
        var error = Assert.CatchAsync<HttpRequestException>(() => http.GetAsync("/tls"));

        Assert.That(error!.HttpRequestError, Is.EqualTo(HttpRequestError.ConnectionError), error.ToString());
        Assert.That(Chain(error).OfType<AuthenticationException>(), Is.Not.Empty, error.ToString());
    }

    private static IEnumerable<Exception> Chain(Exception error)
    {
        for (Exception? current = error; current is not null; current = current.InnerException)
        {
            yield return current;
        }
    }

    /// <summary>The same GET once over plain HTTPS and once tunneled over wss://, both trusting only the test certificate.</summary>
    private async Task<(string OverHttps, string OverWss)> GetOverHttpsAndWssAsync(string path)
    {
        using var handler = new SocketsHttpHandler();
        handler.SslOptions.RemoteCertificateValidationCallback = (_, certificate, _, _) => certificate?.GetCertHashString() == Thumbprint;
        using var plain = new HttpClient(handler) { BaseAddress = _httpsAddress, Timeout = TimeSpan.FromSeconds(60) };
        await using var client = new WsRestClient(new WsRestClientOptions
        {
            Endpoint = _wssEndpoint,
            ConfigureWebSocket = ws => ws.RemoteCertificateValidationCallback = (_, certificate, _, _) => certificate?.GetCertHashString() == Thumbprint,
        });
        using var tunneled = new HttpClient(new WebSocketMessageHandler(client)) { BaseAddress = _httpsAddress, Timeout = TimeSpan.FromSeconds(60) };

        return (await plain.GetStringAsync(path), await tunneled.GetStringAsync(path));
    }
}
