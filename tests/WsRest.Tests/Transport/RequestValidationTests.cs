using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using WsRest.Tests.Infrastructure;

namespace WsRest.Tests.Transport;

/// <summary>A request the client cannot send correctly fails alone; the shared connection and its stream slots are untouched.</summary>
public class RequestValidationTests
{
    private TestHost _host = null!;
    private HttpClient _http = null!;

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        _host = await TestHost.StartAsync(
            app =>
            {
                app.MapGet("/ping", () => "pong");
                app.MapPost("/echo", async (HttpContext context) =>
                {
                    using var body = new MemoryStream();
                    await context.Request.Body.CopyToAsync(body);
                    return Results.Bytes(body.ToArray());
                });
            },
            o => o.MaxConcurrentStreams = 1);
        _http = await _host.CreateWsRestHttpClientAsync();
    }

    [TearDown]
    public async Task ConnectionAndSlotSurviveAsync()
    {
        // With a limit of one stream, a leaked slot would make this hang (and time out) instead of answering.
        Assert.That(await _http.GetStringAsync("/ping").WaitAsync(TimeSpan.FromSeconds(30)), Is.EqualTo("pong"));
    }

    [OneTimeTearDown]
    public async Task StopAsync()
    {
        _http.Dispose();
        await _host.DisposeAsync();
    }

    [Test]
    public void ContentLongerThanItsSmallContentLengthFails()
    {
        var content = new ByteArrayContent(new byte[10]);
        content.Headers.ContentLength = 5;

        var error = Assert.CatchAsync<HttpRequestException>(() => _http.PostAsync("/echo", content));

        Assert.That(error!.Message, Does.Contain("Content-Length"));
    }

    [Test]
    public void ContentShorterThanItsContentLengthFails()
    {
        var content = new ByteArrayContent(new byte[3]);
        content.Headers.ContentLength = 5;

        var error = Assert.CatchAsync<HttpRequestException>(() => _http.PostAsync("/echo", content));

        Assert.That(error!.Message, Does.Contain("Content-Length 5"));
    }

    [Test]
    public void RequestHeaderWithCrLfFailsOnlyThatRequest()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/ping");
        request.Headers.TryAddWithoutValidation("X-Evil", "a\r\nb");

        var error = Assert.CatchAsync<HttpRequestException>(() => _http.SendAsync(request));

        Assert.That(error!.Message, Does.Contain("X-Evil"));
    }

    [Test]
    public async Task ASlowSmallBodyDoesNotReorderStreamIds()
    {
        // Ids are assigned when the REQUEST is queued, not when the call starts: a request whose small
        // body takes a while must not let a later request's higher id reach the server first.
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var slow = _http.PostAsync("/echo", new SlowContent(gate.Task));
        Assert.That(await _http.GetStringAsync("/ping").WaitAsync(TimeSpan.FromSeconds(30)), Is.EqualTo("pong"));

        gate.SetResult();
        using var response = await slow.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(await response.Content.ReadAsStringAsync(), Is.EqualTo("hello"));
    }

    /// <summary>Five bytes of known length, produced only once the gate opens.</summary>
    private sealed class SlowContent(Task gate) : HttpContent
    {
        protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context)
        {
            await gate.WaitAsync(TimeSpan.FromSeconds(30));
            await stream.WriteAsync("hello"u8.ToArray());
        }

        protected override bool TryComputeLength(out long length)
        {
            length = 5;
            return true;
        }
    }
}
