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
[System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1001", Justification = "NUnit fixture: OneTimeTearDown disposes the host and its clients.")]
public sealed class NonAsciiRequestHeaderTests(WsRestEncoding encoding)
{
    private int _appRuns;
    private TwoTransports _clients = null!;

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        var host = await TestHost.StartAsync(encoding, app => app.MapMethods("/headers", [HttpMethods.Get, HttpMethods.Post], (HttpRequest request) =>
        {
            Interlocked.Increment(ref _appRuns);
            return request.Headers["x-name"].ToString();
        }));
        _clients = await TwoTransports.ConnectAsync(host);
    }

    [OneTimeTearDown]
    public async Task StopAsync()
    {
        if (_clients is not null)
        {
            await _clients.DisposeAsync();
        }
    }

    [TestCase("HTTP", "request")]
    [TestCase("WsRest", "request")]
    [TestCase("HTTP", "content")]
    [TestCase("WsRest", "content")]
    public async Task ANonAsciiValueFailsTheRequestAsSocketsHttpHandlerDoes(string transport, string where)
    {
        var client = _clients[transport];
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
        foreach (var client in new[] { _clients.Http, _clients.WsRest })
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, "/headers");
            request.Headers.TryAddWithoutValidation("x-name", "Zoe =?utf-8?q?Zo=C3=AB?= %C3%AB");
            using var response = await client.SendAsync(request);
            Assert.That(await response.Content.ReadAsStringAsync(), Is.EqualTo("Zoe =?utf-8?q?Zo=C3=AB?= %C3%AB"));
        }
    }
}
