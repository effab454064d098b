using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using WsRest.Client;
using WsRest.Tests.Infrastructure;
using static WsRest.Tests.Resilience.ClientEvents;

namespace WsRest.Tests.Resilience;

/// <summary>
/// gRPC's wait-for-ready model (issue 13): a request waits for a connection attempt in progress, fails
/// at once while the client backs off after a failed one, and waits through the backoff only when it
/// (or the client) opted in.
/// </summary>
public class WaitForReadyTests
{
    // Far below HttpClient's 100 s default timeout, which a request to a dead server used to wait out.
    private static readonly TimeSpan WellUnderTheTimeout = TimeSpan.FromSeconds(10);

    [Test]
    public async Task AServerStoppedForGoodFailsNewRequestsAtOnceInsteadOfAtTheirTimeout()
    {
        var host = await TestHost.StartAsync(app => app.MapGet("/ping", () => "pong"));
        await using var client = new WsRestClient(new WsRestClientOptions { Endpoint = host.WsRestEndpoint });
        await using var events = client.WatchAsync().GetAsyncEnumerator();
        using var http = new HttpClient(new WebSocketMessageHandler(client)) { BaseAddress = host.HttpAddress };
        Assert.That(http.Timeout, Is.EqualTo(TimeSpan.FromSeconds(100)), "the caller's own timeout is the default one");
        Assert.That(await http.GetStringAsync("/ping"), Is.EqualTo("pong"));

        await host.DisposeAsync();
        await NextOfKindAsync(events, WsRestClientEventKind.Disconnected);

        // Issued while the first reconnect attempt runs or after it failed: either way it fails with
        // that attempt's error, long before its 100 s timeout.
        var error = Assert.CatchAsync<HttpRequestException>(() => http.GetStringAsync("/ping").WaitAsync(WellUnderTheTimeout));
        Assert.That(error!.HttpRequestError, Is.EqualTo(HttpRequestError.ConnectionError));
        Assert.That(error.InnerException, Is.InstanceOf<HttpRequestException>(), "the last connect error is inside");

        var retried = await NextFailedAttemptAsync(events);
        Assert.That(retried.Error, Is.InstanceOf<HttpRequestException>(), "the reconnect says why it retries");
        var later = Assert.CatchAsync<HttpRequestException>(() => http.GetStringAsync("/ping").WaitAsync(WellUnderTheTimeout));
        Assert.That(later!.InnerException, Is.InstanceOf<HttpRequestException>());
        Assert.That(client.State, Is.EqualTo(WsRestConnectionState.Reconnecting), "the client keeps trying in the background");
    }

    [Test]
    public async Task RequestsIssuedDuringAReconnectAttemptInProgressWaitForItAndSucceed()
    {
        var first = await TestHost.StartAsync(app => app.MapGet("/who", () => "A"));
        await using var proxy = FaultProxy.Start(first.WsRestEndpoint);
        await using var client = new WsRestClient(ThroughProxy(proxy));
        await using var events = client.WatchAsync().GetAsyncEnumerator();
        using var http = new HttpClient(new WebSocketMessageHandler(client)) { BaseAddress = first.HttpAddress };
        Assert.That(await http.GetStringAsync("/who"), Is.EqualTo("A"));

        // The restarted server holds the upgrade until the test lets it go, so the request below is
        // issued while the attempt is certainly in progress.
        var upgradeArrived = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var releaseUpgrade = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var second = await TestHost.StartAsync(app =>
        {
            app.Use(async (HttpContext context, RequestDelegate next) =>
            {
                if (context.WebSockets.IsWebSocketRequest)
                {
                    upgradeArrived.TrySetResult();
                    await releaseUpgrade.Task;
                }

                await next(context);
            });
            app.MapGet("/who", () => "B");
        });
        proxy.Target = FaultProxy.ToEndPoint(second.WsRestEndpoint);
        await first.DisposeAsync();
        await upgradeArrived.Task.WaitAsync(Generous);

        var duringTheAttempt = http.GetStringAsync("/who");
        Assert.That(client.State, Is.EqualTo(WsRestConnectionState.Reconnecting));
        releaseUpgrade.SetResult();

        Assert.That(await duringTheAttempt.WaitAsync(Generous), Is.EqualTo("B"), "the request waited for the attempt in progress");
        await NextOfKindAsync(events, WsRestClientEventKind.Reconnected);
    }

    [Test]
    public async Task AWaitForReadyRequestWaitsThroughTheBackoffAndSucceedsWhenTheServerIsBack()
    {
        await using var host = await TestHost.StartAsync(app => app.MapGet("/ping", () => "pong"));
        await using var proxy = FaultProxy.Start(host.WsRestEndpoint);
        await using var client = new WsRestClient(ThroughProxy(proxy));
        await using var events = client.WatchAsync().GetAsyncEnumerator();
        using var http = new HttpClient(new WebSocketMessageHandler(client)) { BaseAddress = host.HttpAddress };
        Assert.That(await http.GetStringAsync("/ping"), Is.EqualTo("pong"));

        proxy.RejectNew();
        proxy.ResetAll();
        await NextFailedAttemptAsync(events);

        var plain = Assert.CatchAsync<HttpRequestException>(() => GetStringAsync(http, "/ping", waitForReady: false).WaitAsync(WellUnderTheTimeout));
        Assert.That(plain!.HttpRequestError, Is.EqualTo(HttpRequestError.ConnectionError));
        var waiting = GetStringAsync(http, "/ping", waitForReady: true);

        // Two more failed attempts go by; the request that waits for ready is still waiting.
        await NextFailedAttemptAsync(events);
        await NextFailedAttemptAsync(events);
        Assert.That(waiting.IsCompleted, Is.False, "a wait-for-ready request outlives failed attempts");

        proxy.RejectNew(false);
        Assert.That(await waiting.WaitAsync(Generous), Is.EqualTo("pong"));
    }

    [Test]
    public async Task WithWaitForReadyOnTheClientRequestsWaitUnlessOneOptsOut()
    {
        await using var host = await TestHost.StartAsync(app => app.MapGet("/ping", () => "pong"));
        await using var proxy = FaultProxy.Start(host.WsRestEndpoint);
        var options = ThroughProxy(proxy);
        options.Reconnect.WaitForReady = true;
        await using var client = new WsRestClient(options);
        await using var events = client.WatchAsync().GetAsyncEnumerator();
        using var http = new HttpClient(new WebSocketMessageHandler(client)) { BaseAddress = host.HttpAddress };
        Assert.That(await http.GetStringAsync("/ping"), Is.EqualTo("pong"));

        proxy.RejectNew();
        proxy.ResetAll();
        await NextFailedAttemptAsync(events);

        var waiting = http.GetStringAsync("/ping");
        var optedOut = Assert.CatchAsync<HttpRequestException>(() => GetStringAsync(http, "/ping", waitForReady: false).WaitAsync(WellUnderTheTimeout));
        Assert.That(optedOut!.Message, Does.Contain("the last attempt failed"));
        await NextFailedAttemptAsync(events);
        Assert.That(waiting.IsCompleted, Is.False);

        proxy.RejectNew(false);
        Assert.That(await waiting.WaitAsync(Generous), Is.EqualTo("pong"));
    }

    [Test]
    public async Task AWaitForReadyRequestWaitsForAServerThatIsNotUpYet()
    {
        await using var host = await TestHost.StartAsync(app => app.MapGet("/ping", () => "pong"));
        await using var proxy = FaultProxy.Start(host.WsRestEndpoint);
        proxy.RejectNew();
        await using var client = new WsRestClient(ThroughProxy(proxy));
        await using var events = client.WatchAsync().GetAsyncEnumerator();
        using var http = new HttpClient(new WebSocketMessageHandler(client)) { BaseAddress = host.HttpAddress };

        var waiting = GetStringAsync(http, "/ping", waitForReady: true);
        var seen = new List<WsRestClientEventKind>();
        WsRestClientEvent next;
        do
        {
            next = await NextAsync(events);
            seen.Add(next.Kind);
        }
        while (!(next.Kind == WsRestClientEventKind.Reconnecting && next.Attempt > 1));

        // The first connect failed and the client moved on to the reconnect schedule for the waiting request.
        Assert.That(seen.Take(3), Is.EqualTo(new[] { WsRestClientEventKind.Connecting, WsRestClientEventKind.ConnectFailed, WsRestClientEventKind.Reconnecting }));
        Assert.That(next.Error, Is.InstanceOf<HttpRequestException>());
        Assert.That(waiting.IsCompleted, Is.False);

        proxy.RejectNew(false);
        Assert.That(await waiting.WaitAsync(Generous), Is.EqualTo("pong"));
        await NextOfKindAsync(events, WsRestClientEventKind.Connected);
        Assert.That(seen, Does.Not.Contain(WsRestClientEventKind.Disconnected), "nothing was connected, so nothing disconnected");
    }
}
