using System.Net;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using WsRest.Client;
using WsRest.Server;
using WsRest.Tests.Differential;
using WsRest.Tests.Infrastructure;

namespace WsRest.Tests.Reverse;

/// <summary>
/// A side serving calls answers before reading the request body (issue 13 §4: a handler rejecting an
/// upload disposes it and answers 413). The answer must reach the caller; only the body stops.
/// </summary>
[TestFixture(WsRestEncoding.Binary)]
[TestFixture(WsRestEncoding.Json)]
public class EarlyAnswerTests(WsRestEncoding encoding)
{
    private static readonly TimeSpan Generous = TimeSpan.FromSeconds(30);

    [Test]
    public async Task AClientHandlerThatDisposesTheBodyBeforeAnsweringGetsItsAnswerThrough()
    {
        await using var host = await TestHost.StartAsync(encoding, _ => { });
        var client = await host.ConnectAsync(o => o.HandleRequests((request, _) => Task.FromResult(Reject(request))));
        var connection = await ReverseCallTests.RegisteredAsync(host, client);
        using var http = connection.CreateHttpClient();

        using var response = await http.PostAsync("/upload", LargeUpload()).WaitAsync(Generous);

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.RequestEntityTooLarge));
        Assert.That(await response.Content.ReadAsStringAsync(), Is.EqualTo("too large"));
        using var next = await http.PostAsync("/upload", new StringContent("small")).WaitAsync(Generous);
        Assert.That(next.StatusCode, Is.EqualTo(HttpStatusCode.RequestEntityTooLarge), "the connection still serves after the early answer");
    }

    [Test]
    public async Task AnHttpMessageHandlerThatDisposesTheBodyBeforeAnsweringGetsItsAnswerThrough()
    {
        await using var host = await TestHost.StartAsync(encoding, _ => { });
        using var handler = new RejectingHandler();
        var client = await host.ConnectAsync(o => o.RequestHandler = handler);
        var connection = await ReverseCallTests.RegisteredAsync(host, client);
        using var http = connection.CreateHttpClient();

        using var response = await http.PutAsync("/upload", LargeUpload()).WaitAsync(Generous);

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.RequestEntityTooLarge));
        Assert.That(await response.Content.ReadAsStringAsync(), Is.EqualTo("too large"));
    }

    [Test]
    public async Task AClientHandlerThatFailsAfterDisposingTheBodyResetsWithAnError()
    {
        await using var host = await TestHost.StartAsync(encoding, _ => { });
        var client = await host.ConnectAsync(o => o.HandleRequests((request, _) =>
        {
            request.Content!.Dispose();
            throw new InvalidOperationException("kiosk broke");
        }));
        var connection = await ReverseCallTests.RegisteredAsync(host, client);
        using var http = connection.CreateHttpClient();

        var error = Assert.CatchAsync<HttpRequestException>(() => http.PostAsync("/upload", LargeUpload()).WaitAsync(Generous));

        Assert.That(error!.ToString(), Does.Contain("InternalError"));
        Assert.That(error.ToString(), Does.Not.Contain("NoError"));
    }

    [Test]
    public async Task AnAppBehindTheTunnelThatDisposesTheBodyBeforeAnsweringGetsItsAnswerThrough()
    {
        await using var host = await TestHost.StartAsync(encoding, _ => { });
        await using var events = host.Registry.WatchAsync().GetAsyncEnumerator();
        await using var app = await StartTunneledAppAsync(host.WsRestEndpoint, encoding);
        Assert.That(await events.MoveNextAsync().AsTask().WaitAsync(Generous), Is.True);
        using var http = events.Current.Connection.CreateHttpClient();

        using var response = await http.PostAsync("/upload", LargeUpload()).WaitAsync(Generous);

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.RequestEntityTooLarge));
        Assert.That(await response.Content.ReadAsStringAsync(), Is.EqualTo("too large"));
    }

    /// <summary>1 MiB of unknown length: far more than the windows, so the caller is still sending when the answer comes.</summary>
    private static StreamContent LargeUpload() => new(new NonSeekableStream(RandomNumberGenerator.GetBytes(1024 * 1024)));

    private static HttpResponseMessage Reject(HttpRequestMessage request)
    {
        // As a handler refusing a body does: it lets the body go before it answers.
        request.Content?.Dispose();
        return new HttpResponseMessage(HttpStatusCode.RequestEntityTooLarge) { Content = new StringContent("too large") };
    }

    private static async Task<WebApplication> StartTunneledAppAsync(Uri endpoint, WsRestEncoding encoding)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseWsRestTunnel(o =>
        {
            o.Endpoint = endpoint;
            o.Encoding = encoding;
        });
        var app = builder.Build();
        app.MapPost("/upload", async (HttpRequest request, HttpResponse response) =>
        {
            await request.Body.DisposeAsync();
            response.StatusCode = StatusCodes.Status413PayloadTooLarge;
            await response.WriteAsync("too large");
        });
        await app.StartAsync();
        return app;
    }

    private sealed class RejectingHandler : HttpMessageHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
            => Task.FromResult(Reject(request));
    }
}
