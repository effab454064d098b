using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using WsRest.Client;
using WsRest.Server;
using WsRest.Tests.Infrastructure;

namespace WsRest.Tests.Transport;

/// <summary>Connecting, disposing and shutting down never leave a caller hanging.</summary>
public class LifecycleTests
{
    [Test]
    public async Task HandshakeAssignsAConnectionIdAndCarriesMetadata()
    {
        await using var host = await TestHost.StartAsync(app => app.MapGet("/whoami", (HttpContext context) =>
            context.Features.Get<IWsRestConnectionFeature>()?.Connection.Metadata["app"] ?? "plain"));
        var watch = host.Registry.WatchAsync().GetAsyncEnumerator();

        var client = await host.ConnectAsync(o => o.Metadata["app"] = "tests");

        Assert.That(client.ConnectionId, Does.Match("^[0-9a-f]{32}$"));
        Assert.That(client.State, Is.EqualTo(WsRestConnectionState.Connected));
        Assert.That(await watch.MoveNextAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(30)), Is.True);
        Assert.That(watch.Current.Kind, Is.EqualTo(WsRestConnectionEventKind.Connected));

        Assert.That(host.Registry.TryGetConnection(client.ConnectionId!, out var connection), Is.True);
        Assert.That(connection!.Metadata["app"], Is.EqualTo("tests"));
        Assert.That(connection.RemoteEndPoint!.Address.ToString(), Is.EqualTo("127.0.0.1"));
        Assert.That(connection.ConnectedAt, Is.EqualTo(DateTimeOffset.UtcNow).Within(TimeSpan.FromMinutes(1)));
        using var http = new HttpClient(new WebSocketMessageHandler(client)) { BaseAddress = host.HttpAddress };
        Assert.That(await http.GetStringAsync("/whoami"), Is.EqualTo("tests"));

        await client.DisposeAsync();
        Assert.That(await watch.MoveNextAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(30)), Is.True);
        Assert.That(watch.Current.Kind, Is.EqualTo(WsRestConnectionEventKind.Closed));
        Assert.That(watch.Current.Connection.Id, Is.EqualTo(client.ConnectionId));
        await watch.DisposeAsync();
    }

    [Test]
    public async Task TwoConnectionsGetDifferentIds()
    {
        await using var host = await TestHost.StartAsync(_ => { });
        await using var events = host.Registry.WatchAsync().GetAsyncEnumerator();
        var a = await host.ConnectAsync();
        var b = await host.ConnectAsync();
        Assert.That(a.ConnectionId, Is.Not.EqualTo(b.ConnectionId));

        // ConnectAsync completes once READY is sent; the server registers when it has read it.
        for (var seen = 0; seen < 2; seen++)
        {
            Assert.That(await events.MoveNextAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(30)), Is.True);
        }

        Assert.That(host.Registry.Connections.Select(c => c.Id), Is.EquivalentTo(new[] { a.ConnectionId, b.ConnectionId }));
    }

    [Test]
    public async Task DisposingTheClientFailsRequestsInFlightAtOnce()
    {
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var host = await TestHost.StartAsync(app => app.MapGet("/wait", async (CancellationToken aborted) =>
        {
            started.TrySetResult();
            await Task.Delay(Timeout.Infinite, aborted);
        }));
        var client = await host.ConnectAsync();
        using var http = new HttpClient(new WebSocketMessageHandler(client)) { BaseAddress = host.HttpAddress };
        var inFlight = http.GetAsync("/wait");
        await started.Task.WaitAsync(TimeSpan.FromSeconds(30));

        await client.DisposeAsync();

        var error = Assert.CatchAsync<HttpRequestException>(() => inFlight.WaitAsync(TimeSpan.FromSeconds(30)));
        Assert.That(error!.HttpRequestError, Is.EqualTo(HttpRequestError.ConnectionError));
        Assert.That(client.State, Is.EqualTo(WsRestConnectionState.Closed));
        Assert.CatchAsync<ObjectDisposedException>(() => http.GetAsync("/wait"));
    }

    [Test]
    public async Task RequestOnAConnectionTheServerClosedFailsAtOnce()
    {
        await using var host = await TestHost.StartAsync(app => app.MapGet("/ping", () => "pong"));
        var client = await host.ConnectAsync(o => o.Reconnect.Enabled = false);
        using var http = new HttpClient(new WebSocketMessageHandler(client)) { BaseAddress = host.HttpAddress };
        Assert.That(await http.GetStringAsync("/ping"), Is.EqualTo("pong"));

        host.Registry.TryGetConnection(client.ConnectionId!, out var connection);
        connection!.Abort();
        await WaitUntilAsync(() => client.State == WsRestConnectionState.Closed);

        var error = Assert.CatchAsync<HttpRequestException>(() => http.GetAsync("/ping").WaitAsync(TimeSpan.FromSeconds(30)));
        Assert.That(error!.HttpRequestError, Is.EqualTo(HttpRequestError.ConnectionError));
        Assert.That(error.Message, Does.Contain("connection"));
    }

    [Test]
    public async Task ConnectingToNothingFailsWithAClearError()
    {
        using var listener = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        await using var client = new WsRestClient(new WsRestClientOptions { Endpoint = new Uri($"ws://127.0.0.1:{port}/wsrest") });

        var error = Assert.CatchAsync<HttpRequestException>(() => client.ConnectAsync());

        Assert.That(error!.HttpRequestError, Is.EqualTo(HttpRequestError.ConnectionError));
        Assert.That(error.Message, Does.Contain($"127.0.0.1:{port}"));
    }

    [Test]
    public async Task ACancelledFirstConnectDoesNotBreakTheClient()
    {
        await using var host = await TestHost.StartAsync(app => app.MapGet("/ping", () => "pong"));
        await using var client = new WsRestClient(new WsRestClientOptions { Endpoint = host.WsRestEndpoint });
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();

        Assert.CatchAsync<OperationCanceledException>(() => client.ConnectAsync(cancelled.Token));

        await client.ConnectAsync();
        using var http = new HttpClient(new WebSocketMessageHandler(client)) { BaseAddress = host.HttpAddress };
        Assert.That(await http.GetStringAsync("/ping"), Is.EqualTo("pong"));
    }

    [Test]
    public void OptionsWithoutEndpointAreRejected()
    {
        var error = Assert.Throws<InvalidOperationException>(() => _ = new WsRestClient(new WsRestClientOptions()));
        Assert.That(error!.Message, Does.Contain("Endpoint"));
    }

    [Test]
    public async Task ServerShutdownSendsGoAwayAndInFlightRequestsFinishWithReconnectDisabled()
    {
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var host = await TestHost.StartAsync(app =>
        {
            app.MapGet("/slow", async () =>
            {
                started.TrySetResult();
                await release.Task;
                return "finished";
            });
            app.MapGet("/fast", () => "fast");
        });
        var client = await host.ConnectAsync(o => o.Reconnect.Enabled = false);
        using var http = new HttpClient(new WebSocketMessageHandler(client)) { BaseAddress = host.HttpAddress };
        var inFlight = http.GetStringAsync("/slow");
        await started.Task.WaitAsync(TimeSpan.FromSeconds(30));

        var stopping = host.App.StopAsync();

        // Once GOAWAY is in, a new request fails fast (it is refused, never lost or left hanging).
        HttpRequestException? refused = null;
        using (var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30)))
        {
            while (refused is null)
            {
                try
                {
                    await http.GetStringAsync("/fast", timeout.Token);
                }
                catch (HttpRequestException ex)
                {
                    refused = ex;
                }
            }
        }

        Assert.That(refused.HttpRequestError, Is.EqualTo(HttpRequestError.ConnectionError));
        Assert.That(inFlight.IsCompleted, Is.False, "the in-flight request is still running");

        release.SetResult();
        Assert.That(await inFlight.WaitAsync(TimeSpan.FromSeconds(30)), Is.EqualTo("finished"));
        await stopping.WaitAsync(TimeSpan.FromSeconds(30));
        await WaitUntilAsync(() => client.State == WsRestConnectionState.Closed);
        await host.DisposeAsync();
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (!condition())
        {
            await Task.Delay(10, timeout.Token);
        }
    }
}
