using WsRest.Client;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using WsRest.Tests.Infrastructure;

namespace WsRest.Tests.Transport;

/// <summary>Bodies stream both ways: the first bytes arrive before the sender has finished.</summary>
[TestFixture(WsRestEncoding.Binary)]
[TestFixture(WsRestEncoding.Json)]
public class StreamingTests(WsRestEncoding encoding)
{
    private TestHost _host = null!;
    private HttpClient _http = null!;
    private TaskCompletionSource _finishResponse = null!;
    private TaskCompletionSource<string> _firstRequestChunk = null!;

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        _host = await TestHost.StartAsync(encoding, app =>
        {
            app.MapGet("/stream", async (HttpContext context) =>
            {
                context.Response.ContentType = "text/plain";
                await context.Response.WriteAsync("first;");
                await context.Response.Body.FlushAsync();
                await _finishResponse.Task.WaitAsync(context.RequestAborted);
                await context.Response.WriteAsync("last");
            });
            app.MapPost("/upload", async (HttpContext context) =>
            {
                var buffer = new byte[64];
                var read = await context.Request.Body.ReadAsync(buffer);
                _firstRequestChunk.TrySetResult(System.Text.Encoding.UTF8.GetString(buffer, 0, read));
                using var rest = new MemoryStream();
                await context.Request.Body.CopyToAsync(rest);
                return Results.Text($"{read + rest.Length}");
            });
        });
        _http = await _host.CreateWsRestHttpClientAsync();
    }

    [SetUp]
    public void ResetSignals()
    {
        _finishResponse = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _firstRequestChunk = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    [OneTimeTearDown]
    public async Task StopAsync()
    {
        _http.Dispose();
        await _host.DisposeAsync();
    }

    [Test]
    public async Task ResponseHeadersReadSeesFirstBytesBeforeTheServerFinishes()
    {
        using var response = await _http.GetAsync("/stream", HttpCompletionOption.ResponseHeadersRead);
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        await using var body = await response.Content.ReadAsStreamAsync();

        var buffer = new byte[6];
        var read = await body.ReadAtLeastAsync(buffer, buffer.Length).AsTask().WaitAsync(TimeSpan.FromSeconds(30));

        // The server is still parked on _finishResponse, so these bytes can only come from a streamed flush.
        Assert.That(System.Text.Encoding.UTF8.GetString(buffer, 0, read), Is.EqualTo("first;"));
        Assert.That(_finishResponse.Task.IsCompleted, Is.False);

        _finishResponse.SetResult();
        using var reader = new StreamReader(body);
        Assert.That(await reader.ReadToEndAsync(), Is.EqualTo("last"));
    }

    [Test]
    public async Task RequestBodyStreamsBeforeTheClientFinishes()
    {
        var content = new GatedContent("hello", _firstRequestChunk.Task, " world");

        using var response = await _http.PostAsync("/upload", content).WaitAsync(TimeSpan.FromSeconds(30));

        // GatedContent wrote its second part only after the server had read the first: streaming, not buffering.
        Assert.That(await _firstRequestChunk.Task, Is.EqualTo("hello"));
        Assert.That(await response.Content.ReadAsStringAsync(), Is.EqualTo("11"));
    }

    /// <summary>Writes a first part, waits for a signal, then writes the rest; its length is unknown.</summary>
    private sealed class GatedContent(string first, Task gate, string rest) : HttpContent
    {
        protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context)
        {
            await stream.WriteAsync(System.Text.Encoding.UTF8.GetBytes(first));
            await stream.FlushAsync();
            await gate.WaitAsync(TimeSpan.FromSeconds(30));
            await stream.WriteAsync(System.Text.Encoding.UTF8.GetBytes(rest));
        }

        protected override bool TryComputeLength(out long length)
        {
            length = 0;
            return false;
        }
    }
}
