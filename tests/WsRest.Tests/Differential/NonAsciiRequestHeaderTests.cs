using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using WsRest.Client;
using WsRest.Tests.Infrastructure;

namespace WsRest.Tests.Differential;

/// <summary>
/// A request header value with a character past U+007F fails as SocketsHttpHandler fails it ("Request
/// headers must contain only ASCII characters.", an <see cref="HttpRequestException"/>), before anything
/// reaches the server, on both transports (issue 13 §3); the WsRest connection goes on.
/// </summary>
[TestFixture(WsRestEncoding.Binary)]
[TestFixture(WsRestEncoding.Json)]
[System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1001", Justification = "NUnit fixture: OneTimeTearDown disposes the clients and host.")]
public sealed class NonAsciiRequestHeaderTests(WsRestEncoding encoding)
{
    private int _appRuns;
    private TestHost _host = null!;
    private HttpClient _http = null!;
    private HttpClient _wsRest = null!;

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        _host = await TestHost.StartAsync(encoding, app => app.MapMethods("/headers", [HttpMethods.Get, HttpMethods.Post], (HttpRequest request) =>
        {
            Interlocked.Increment(ref _appRuns);
            return request.Headers["x-name"].ToString();
        }));
        _http = _host.CreatePlainHttpClient();
        _wsRest = await _host.CreateWsRestHttpClientAsync();
    }

    [OneTimeTearDown]
    public async Task StopAsync()
    {
        _http?.Dispose();
        _wsRest?.Dispose();
        if (_host is not null)
        {
            await _host.DisposeAsync();
        }
    }

    [TestCase("HTTP", "request")]
    [TestCase("WsRest", "request")]
    [TestCase("HTTP", "content")]
    [TestCase("WsRest", "content")]
    public async Task ANonAsciiValueFailsTheRequestAsSocketsHttpHandlerDoes(string transport, string where)
    {
        var client = transport == "HTTP" ? _http : _wsRest;
        var runs = Volatile.Read(ref _appRuns);
        using var request = new HttpRequestMessage(HttpMethod.Post, "/headers") { Content = new StringContent("body") };
        if (where == "request")
        {
            request.Headers.TryAddWithoutValidation("x-name", "Zoë");
        }
        else
        {
            request.Content.Headers.TryAddWithoutValidation("Content-Disposition", "attachment; filename=\"résumé.txt\"");
        }

        var error = Assert.CatchAsync<HttpRequestException>(() => client.SendAsync(request));

        Assert.That(error!.Message, Is.EqualTo("Request headers must contain only ASCII characters."));
        Assert.That(await client.GetStringAsync("/headers"), Is.Empty, "the client still works");
        Assert.That(Volatile.Read(ref _appRuns), Is.EqualTo(runs + 1), "the failed request never reached the app");
    }

    [Test]
    public async Task AnAsciiValueArrivesUnchangedOnBothTransports()
    {
        foreach (var client in new[] { _http, _wsRest })
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, "/headers");
            request.Headers.TryAddWithoutValidation("x-name", "Zoe =?utf-8?q?Zo=C3=AB?= %C3%AB");
            using var response = await client.SendAsync(request);
            Assert.That(await response.Content.ReadAsStringAsync(), Is.EqualTo("Zoe =?utf-8?q?Zo=C3=AB?= %C3%AB"));
        }
    }
}
