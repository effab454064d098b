using System.Net;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using WsRest.Tests.Infrastructure;

namespace WsRest.Tests.Transport;

/// <summary>Many requests share one socket without mixing up their bytes or blocking each other.</summary>
public class ConcurrencyTests
{
    [Test]
    public async Task TwoHundredConcurrentRequestsWithInterleavedLargeBodiesOnOneSocket()
    {
        await using var host = await TestHost.StartAsync(
            app =>
            {
                app.MapPost("/echo/{id}", async (HttpContext context, int id) =>
                {
                    using var body = new MemoryStream();
                    await context.Request.Body.CopyToAsync(body);
                    context.Response.Headers["x-id"] = id.ToString(System.Globalization.CultureInfo.InvariantCulture);
                    context.Response.ContentType = "application/octet-stream";
                    await context.Response.Body.WriteAsync(body.ToArray());
                });
            },
            o => o.MaxConcurrentStreams = 256);
        using var http = await host.CreateWsRestHttpClientAsync();

        // Sizes from empty to 512 KiB, so small inline bodies and many-frame bodies interleave.
        var sizes = Enumerable.Range(0, 200).Select(i => i % 10 == 0 ? 512 * 1024 : (i * 7919) % (40 * 1024)).ToArray();
        var payloads = sizes.Select(size => RandomNumberGenerator.GetBytes(size)).ToArray();

        var calls = payloads.Select(async (payload, i) =>
        {
            using var content = new ByteArrayContent(payload);
            using var response = await http.PostAsync($"/echo/{i}", content);
            var echoed = await response.Content.ReadAsByteArrayAsync();
            return (i, response.StatusCode, Id: response.Headers.GetValues("x-id").Single(), echoed);
        });
        var results = await Task.WhenAll(calls).WaitAsync(TimeSpan.FromSeconds(120));

        Assert.That(host.Registry.Count, Is.EqualTo(1), "all requests share one connection");
        foreach (var (i, status, id, echoed) in results)
        {
            Assert.That(status, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(id, Is.EqualTo(i.ToString(System.Globalization.CultureInfo.InvariantCulture)));
            Assert.That(echoed, Is.EqualTo(payloads[i]), $"body of request {i} ({payloads[i].Length} bytes)");
        }
    }

    [Test]
    public async Task ABlockingHandlerDoesNotStallOtherStreams()
    {
        using var gate = new ManualResetEventSlim(false);
        var blocked = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var host = await TestHost.StartAsync(app =>
        {
            app.MapGet("/block", () =>
            {
                blocked.TrySetResult();

                // Deliberately blocks a thread-pool thread, as badly written handlers do.
                gate.Wait(TimeSpan.FromSeconds(60));
                return "unblocked";
            });
            app.MapGet("/fast", () => "fast");
        });
        using var http = await host.CreateWsRestHttpClientAsync();

        var slow = http.GetStringAsync("/block");
        await blocked.Task.WaitAsync(TimeSpan.FromSeconds(30));

        var fast = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => http.GetStringAsync("/fast"))).WaitAsync(TimeSpan.FromSeconds(30));
        Assert.That(fast, Is.All.EqualTo("fast"));
        Assert.That(slow.IsCompleted, Is.False, "the blocked request is still blocked");

        gate.Set();
        Assert.That(await slow.WaitAsync(TimeSpan.FromSeconds(30)), Is.EqualTo("unblocked"));
    }

    [Test]
    public async Task ASlowResponseReaderDoesNotBlockOtherStreams()
    {
        await using var host = await TestHost.StartAsync(app =>
        {
            app.MapGet("/big", async (HttpContext context) =>
            {
                var chunk = new byte[64 * 1024];
                for (var i = 0; i < 64; i++)
                {
                    await context.Response.Body.WriteAsync(chunk, context.RequestAborted);
                }
            });
            app.MapGet("/fast", () => "fast");
        });
        using var http = await host.CreateWsRestHttpClientAsync();

        // 4 MiB nobody reads: flow control stops the server after one window, the socket stays free.
        using var unread = await http.GetAsync("/big", HttpCompletionOption.ResponseHeadersRead);
        var fast = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => http.GetStringAsync("/fast"))).WaitAsync(TimeSpan.FromSeconds(30));
        Assert.That(fast, Is.All.EqualTo("fast"));

        var all = await unread.Content.ReadAsByteArrayAsync().WaitAsync(TimeSpan.FromSeconds(60));
        Assert.That(all.Length, Is.EqualTo(64 * 64 * 1024));
    }
}
