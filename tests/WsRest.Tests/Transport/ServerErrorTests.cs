using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using WsRest.Tests.Infrastructure;

namespace WsRest.Tests.Transport;

/// <summary>Application failures stay inside their request; the connection goes on.</summary>
public class ServerErrorTests
{
    [Test]
    public async Task HandlerExceptionBecomes500AndTheConnectionSurvives()
    {
        await using var host = await TestHost.StartAsync(app =>
        {
            app.MapGet("/boom", string () => throw new InvalidOperationException("boom"));
            app.MapGet("/ping", () => "pong");
        });
        using var http = await host.CreateWsRestHttpClientAsync();

        using var response = await http.GetAsync("/boom");

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.InternalServerError));
        Assert.That(await response.Content.ReadAsByteArrayAsync(), Is.Empty);
        Assert.That(await http.GetStringAsync("/ping"), Is.EqualTo("pong"));
        Assert.That(host.Registry.Count, Is.EqualTo(1));
    }

    [Test]
    public async Task ExceptionAfterTheResponseStartedResetsOnlyThatStream()
    {
        await using var host = await TestHost.StartAsync(app =>
        {
            app.MapGet("/half", async (HttpContext context) =>
            {
                await context.Response.WriteAsync("half");
                await context.Response.Body.FlushAsync();
                throw new InvalidOperationException("too late for a 500");
            });
            app.MapGet("/ping", () => "pong");
        });
        using var http = await host.CreateWsRestHttpClientAsync();

        var error = Assert.CatchAsync<HttpRequestException>(() => http.GetStringAsync("/half"));

        Assert.That(error!.ToString(), Does.Contain("InternalError"));
        Assert.That(await http.GetStringAsync("/ping"), Is.EqualTo("pong"));
    }

    [Test]
    public async Task OnStartingAndOnCompletedRunForTunneledRequests()
    {
        var completed = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var host = await TestHost.StartAsync(app =>
        {
            app.Use(async (context, next) =>
            {
                context.Response.OnStarting(() =>
                {
                    context.Response.Headers["x-started"] = "second";
                    return Task.CompletedTask;
                });
                context.Response.OnStarting(() =>
                {
                    // Registered last, so it runs first (as in Kestrel).
                    context.Response.Headers["x-started"] = "first";
                    return Task.CompletedTask;
                });
                context.Response.OnCompleted(() =>
                {
                    completed.TrySetResult(context.Response.StatusCode.ToString(System.Globalization.CultureInfo.InvariantCulture));
                    return Task.CompletedTask;
                });
                await next(context);
            });
            app.MapGet("/ok", () => "ok");
        });
        using var http = await host.CreateWsRestHttpClientAsync();

        using var response = await http.GetAsync("/ok");

        Assert.That(response.Headers.GetValues("x-started").Single(), Is.EqualTo("second"));
        Assert.That(await completed.Task.WaitAsync(TimeSpan.FromSeconds(30)), Is.EqualTo("200"));
    }

    [Test]
    public async Task RequestBodyOverTheLimitGets413()
    {
        await using var host = await TestHost.StartAsync(
            app => app.MapPost("/upload", async (HttpContext context) =>
            {
                using var sink = new MemoryStream();
                await context.Request.Body.CopyToAsync(sink);
                return sink.Length;
            }),
            o => o.MaxRequestBodySize = 1000);
        using var http = await host.CreateWsRestHttpClientAsync();

        using var response = await http.PostAsync("/upload", new ByteArrayContent(new byte[5000]));

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.RequestEntityTooLarge));
    }

    [Test]
    public async Task InvalidResponseHeaderValueIs500AndTheConnectionSurvives()
    {
        await using var host = await TestHost.StartAsync(app =>
        {
            app.MapGet("/bad-header", (HttpContext context) =>
            {
                context.Response.Headers["X-Test"] = "a\nb";
                return "never sent";
            });
            app.MapGet("/ping", () => "pong");
        });
        using var http = await host.CreateWsRestHttpClientAsync();

        using var response = await http.GetAsync("/bad-header");

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.InternalServerError));
        Assert.That(response.Headers.Contains("X-Test"), Is.False);
        Assert.That(await http.GetStringAsync("/ping"), Is.EqualTo("pong"));
    }

    [Test]
    public async Task OnStartingThatThrowsIs500()
    {
        await using var host = await TestHost.StartAsync(app =>
        {
            app.Use(async (context, next) =>
            {
                if (context.Request.Path == "/ok")
                {
                    context.Response.OnStarting(() => throw new InvalidOperationException("OnStarting failed"));
                }

                await next(context);
            });
            app.MapGet("/ok", (HttpContext context) => Results.Empty);
        });
        using var http = await host.CreateWsRestHttpClientAsync();

        using var response = await http.GetAsync("/ok");

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.InternalServerError));
    }
}
