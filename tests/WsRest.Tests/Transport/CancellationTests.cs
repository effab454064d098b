using WsRest.Client;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using WsRest.Tests.Infrastructure;

namespace WsRest.Tests.Transport;

/// <summary>Cancelling on either side reaches the other: CANCEL both ways.</summary>
[TestFixture(WsRestEncoding.Binary)]
[TestFixture(WsRestEncoding.Json)]
public class CancellationTests(WsRestEncoding encoding)
{
    private TestHost _host = null!;
    private HttpClient _http = null!;
    private TaskCompletionSource _handlerStarted = null!;
    private TaskCompletionSource _handlerAborted = null!;

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        _host = await TestHost.StartAsync(encoding, app =>
        {
            app.MapGet("/wait", async (HttpContext context) =>
            {
                context.RequestAborted.Register(() => _handlerAborted.TrySetResult());
                _handlerStarted.TrySetResult();
                await Task.Delay(Timeout.Infinite, context.RequestAborted);
            });
            app.MapGet("/stream-forever", async (HttpContext context) =>
            {
                context.RequestAborted.Register(() => _handlerAborted.TrySetResult());
                await context.Response.WriteAsync("tick", context.RequestAborted);
                _handlerStarted.TrySetResult();
                await Task.Delay(Timeout.Infinite, context.RequestAborted);
            });
            app.MapGet("/server-aborts", async (HttpContext context) =>
            {
                await context.Response.WriteAsync("partial");
                await context.Response.Body.FlushAsync();
                context.Abort();
            });
            app.MapGet("/ping", () => "pong");
        });
        _http = await _host.CreateWsRestHttpClientAsync();
    }

    [SetUp]
    public void ResetSignals()
    {
        _handlerStarted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _handlerAborted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    [TearDown]
    public async Task ConnectionSurvivesAsync() => Assert.That(await _http.GetStringAsync("/ping"), Is.EqualTo("pong"));

    [OneTimeTearDown]
    public async Task StopAsync()
    {
        _http.Dispose();
        await _host.DisposeAsync();
    }

    [Test]
    public async Task ClientCancellationFiresRequestAbortedOnTheServer()
    {
        using var cts = new CancellationTokenSource();
        var call = _http.GetAsync("/wait", cts.Token);
        await _handlerStarted.Task.WaitAsync(TimeSpan.FromSeconds(30));

        await cts.CancelAsync();

        Assert.CatchAsync<TaskCanceledException>(() => call);
        await _handlerAborted.Task.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.That(_handlerAborted.Task.IsCompletedSuccessfully, Is.True);
    }

    [Test]
    public async Task HttpClientTimeoutFiresRequestAbortedOnTheServer()
    {
        var client = await _host.ConnectAsync();
        using var http = new HttpClient(new WsRest.Client.WebSocketMessageHandler(client)) { BaseAddress = _host.HttpAddress, Timeout = TimeSpan.FromMilliseconds(300) };

        var error = Assert.CatchAsync<TaskCanceledException>(() => http.GetAsync("/wait"));

        Assert.That(error!.InnerException, Is.InstanceOf<TimeoutException>());
        await _handlerAborted.Task.WaitAsync(TimeSpan.FromSeconds(30));
    }

    [Test]
    public async Task DisposingAStreamingResponseFiresRequestAbortedOnTheServer()
    {
        var response = await _http.GetAsync("/stream-forever", HttpCompletionOption.ResponseHeadersRead);
        await _handlerStarted.Task.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));

        response.Dispose();

        await _handlerAborted.Task.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.That(_handlerAborted.Task.IsCompletedSuccessfully, Is.True);
    }

    [Test]
    public async Task ServerAbortFailsTheClientsBodyRead()
    {
        using var response = await _http.GetAsync("/server-aborts", HttpCompletionOption.ResponseHeadersRead);
        await using var body = await response.Content.ReadAsStreamAsync();
        using var reader = new StreamReader(body);

        var error = Assert.CatchAsync<IOException>(() => reader.ReadToEndAsync());

        Assert.That(error!.Message, Does.Contain("reset"));
    }
}
