using Microsoft.AspNetCore.Builder;
using WsRest.Client;
using WsRest.Tests.Infrastructure;

namespace WsRest.Tests.Transport;

/// <summary>Requests waiting for one of the server's stream slots are not left behind when the connection goes.</summary>
public class StreamSlotTests
{
    [Test]
    public async Task RequestsWaitingForASlotFailAtOnceWhenTheConnectionCloses()
    {
        var holding = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var host = await TestHost.StartAsync(
            app => app.MapGet("/hold", async () =>
            {
                holding.TrySetResult();
                await release.Task;
                return "released";
            }),
            o => o.MaxConcurrentStreams = 1);
        await using var client = new WsRestClient(new WsRestClientOptions { Endpoint = host.WsRestEndpoint, Reconnect = { Enabled = false } });
        await client.ConnectAsync();
        using var http = new HttpClient(new WebSocketMessageHandler(client)) { BaseAddress = host.HttpAddress, Timeout = Timeout.InfiniteTimeSpan };

        var first = http.GetStringAsync("/hold");
        await holding.Task.WaitAsync(TimeSpan.FromSeconds(30));
        var waiting = Enumerable.Range(0, 3).Select(_ => http.GetStringAsync("/hold")).ToArray();

        // The server drops the connection while one request holds the only slot and three wait for it.
        host.Registry.Connections.Single().Abort();

        foreach (var request in waiting.Append(first))
        {
            var error = Assert.CatchAsync<HttpRequestException>(async () => await request.WaitAsync(TimeSpan.FromSeconds(30)));
            Assert.That(error!.HttpRequestError, Is.EqualTo(HttpRequestError.ConnectionError).Or.EqualTo(HttpRequestError.Unknown), error.ToString());
        }

        release.TrySetResult();
    }
}
