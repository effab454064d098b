using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using WsRest.Tests.Infrastructure;

namespace WsRest.Tests.Transport;

/// <summary>
/// A response whose first write carries its whole declared Content-Length ends with that write, as
/// its bytes are all there: the client reads the complete body while the handler is still running.
/// </summary>
public class DeclaredLengthTests
{
    [Test]
    public async Task TheWholeDeclaredBodyIsReadableBeforeTheHandlerReturns()
    {
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var handlerDone = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var host = await TestHost.StartAsync(app =>
            app.MapGet("/declared", async (HttpContext context) =>
            {
                context.Response.ContentLength = 5;
                await context.Response.Body.WriteAsync("hello"u8.ToArray());
                await release.Task;
                handlerDone.SetResult();
            }));
        using var http = await host.CreateWsRestHttpClientAsync();

        using var response = await http.GetAsync("/declared", HttpCompletionOption.ResponseHeadersRead);
        var body = await response.Content.ReadAsStringAsync().WaitAsync(TimeSpan.FromSeconds(10));

        Assert.That(body, Is.EqualTo("hello"));
        Assert.That(handlerDone.Task.IsCompleted, Is.False, "the body ended before the handler returned");
        release.SetResult();
        await handlerDone.Task.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.That(host.Registry.Count, Is.EqualTo(1));
    }

    [Test]
    public async Task WritingPastTheDeclaredLengthFailsTheHandlerNotTheResponse()
    {
        var secondWrite = new TaskCompletionSource<Exception?>(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var host = await TestHost.StartAsync(app =>
            app.MapGet("/overrun", async (HttpContext context) =>
            {
                context.Response.ContentLength = 5;
                await context.Response.Body.WriteAsync("hello"u8.ToArray());
                try
                {
                    await context.Response.Body.WriteAsync("!"u8.ToArray());
                    secondWrite.SetResult(null);
                }
                catch (InvalidOperationException ex)
                {
                    secondWrite.SetResult(ex);
                }
            }));
        using var http = await host.CreateWsRestHttpClientAsync();

        Assert.That(await http.GetStringAsync("/overrun"), Is.EqualTo("hello"));
        Assert.That(await secondWrite.Task.WaitAsync(TimeSpan.FromSeconds(30)), Is.InstanceOf<InvalidOperationException>());
    }
}
