using System.Net;
using Microsoft.AspNetCore.Builder;
using Polly;
using WsRest.Client;
using WsRest.Server;
using WsRest.Tests.Infrastructure;
using static WsRest.Tests.Resilience.ClientEvents;

namespace WsRest.Tests.Resilience;

/// <summary>Faults a real network produces, injected by a loopback proxy between client and server.</summary>
public class ReconnectTests
{
    private static readonly TimeSpan Generous = ClientEvents.Generous;

    // First attempt at once, then 1 s doubling, capped at 8 s: the schedule with jitter off.
    private static readonly TimeSpan[] ExpectedBackoff = [TimeSpan.Zero, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(4), TimeSpan.FromSeconds(8), TimeSpan.FromSeconds(8)];

    [Test]
    public async Task ResetMidRequestFailsInFlightCallsAtOnceAndQueuedCallsSucceedAfterReconnect()
    {
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var host = await TestHost.StartAsync(app =>
        {
            app.MapGet("/hang", async (CancellationToken aborted) =>
            {
                started.TrySetResult();
                await Task.Delay(Timeout.Infinite, aborted);
            });
            app.MapGet("/ping", () => "pong");
        });
        await using var proxy = FaultProxy.Start(host.WsRestEndpoint);
        await using var client = new WsRestClient(ThroughProxy(proxy));
        await using var events = client.WatchAsync().GetAsyncEnumerator();
        using var http = new HttpClient(new WebSocketMessageHandler(client)) { BaseAddress = host.HttpAddress };
        Assert.That(await http.GetStringAsync("/ping"), Is.EqualTo("pong"));
        var firstId = client.ConnectionId;
        var inFlight = http.GetAsync("/hang");
        await started.Task.WaitAsync(Generous);

        proxy.ResetAll();

        var error = Assert.CatchAsync<HttpRequestException>(() => inFlight.WaitAsync(Generous));
        Assert.That(error!.HttpRequestError, Is.EqualTo(HttpRequestError.ConnectionError));
        Assert.That(await http.GetStringAsync("/ping").WaitAsync(Generous), Is.EqualTo("pong"), "a call after the loss waits for the reconnect");
        Assert.That(client.ConnectionId, Is.Not.EqualTo(firstId));
        Assert.That(client.State, Is.EqualTo(WsRestConnectionState.Connected));
        var kinds = await KindsUntilAsync(events, WsRestClientEventKind.Reconnected);
        Assert.That(kinds, Is.SupersetOf(new[] { WsRestClientEventKind.Disconnected, WsRestClientEventKind.Reconnecting, WsRestClientEventKind.Reconnected }));
    }

    [Test]
    public async Task ServerRestartDrainsInFlightRequestsAndQueuedOnesSucceedOnTheNewServer()
    {
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var first = await TestHost.StartAsync(app =>
        {
            app.MapGet("/slow", async () =>
            {
                started.TrySetResult();
                await release.Task;
                return "finished on A";
            });
            app.MapGet("/who", () => "A");
        });
        await using var proxy = FaultProxy.Start(first.WsRestEndpoint);
        await using var client = new WsRestClient(ThroughProxy(proxy));
        using var http = new HttpClient(new WebSocketMessageHandler(client)) { BaseAddress = first.HttpAddress };
        Assert.That(await http.GetStringAsync("/who"), Is.EqualTo("A"));
        await using var events = client.WatchAsync().GetAsyncEnumerator();
        var inFlight = http.GetStringAsync("/slow");
        await started.Task.WaitAsync(Generous);

        // A rolling restart: the new instance is up behind the same address before the old one stops,
        // so the reconnect that follows the GOAWAY succeeds at once. (A server that is down between the
        // two fails the requests that do not wait for ready: WaitForReadyTests.)
        await using var second = await TestHost.StartAsync(app => app.MapGet("/who", () => "B"));
        proxy.Target = FaultProxy.ToEndPoint(second.WsRestEndpoint);

        // Shutdown: GOAWAY; the in-flight request drains; new requests wait for the new connection.
        var stopping = first.App.StopAsync();
        Assert.That((await NextAsync(events)).Kind, Is.EqualTo(WsRestClientEventKind.Disconnected));
        var queued = http.GetStringAsync("/who");
        release.SetResult();
        Assert.That(await inFlight.WaitAsync(Generous), Is.EqualTo("finished on A"));
        await stopping.WaitAsync(Generous);
        await first.DisposeAsync();

        Assert.That(await queued.WaitAsync(Generous), Is.EqualTo("B"), "the request issued during the restart ran on the new server");
        Assert.That(await http.GetStringAsync("/who"), Is.EqualTo("B"));
    }

    [Test]
    public async Task BlackholeIsDetectedOnBothSidesWithinIntervalPlusTimeout()
    {
        var clock = new ManualClock();

        // Send timeouts off on both sides: the clock jumps minutes at once, and a PING whose send has
        // not yet finished at the jump (the writer runs on its own) rightly counts as a stalled send,
        // which would report "send timeout" first. This test is about the heartbeat alone.
        await using var host = await TestHost.StartAsync(
            app => app.MapGet("/ping", () => "pong"),
            o =>
            {
                o.KeepAliveInterval = TimeSpan.FromMinutes(1);
                o.KeepAliveTimeout = TimeSpan.FromMinutes(2);
                o.TimeProvider = clock;
                o.SendTimeout = Timeout.InfiniteTimeSpan;
            });
        await using var serverEvents = host.Registry.WatchAsync().GetAsyncEnumerator();
        await using var proxy = FaultProxy.Start(host.WsRestEndpoint);
        var options = ThroughProxy(proxy);
        options.KeepAliveInterval = TimeSpan.FromMinutes(1);
        options.KeepAliveTimeout = TimeSpan.FromMinutes(2);
        options.SendTimeout = Timeout.InfiniteTimeSpan;
        options.Reconnect.Enabled = false;
        await using var client = new WsRestClient(options, timeProvider: clock);
        await using var clientEvents = client.WatchAsync().GetAsyncEnumerator();
        await client.ConnectAsync();
        Assert.That((await NextAsync(serverEvents)).Kind, Is.EqualTo(WsRestConnectionEventKind.Connected));

        // Traffic vanishes without FIN or RST: only the heartbeat can tell.
        proxy.Blackhole();
        clock.Advance(TimeSpan.FromMinutes(1) + TimeSpan.FromSeconds(15));
        Assert.That(client.State, Is.EqualTo(WsRestConnectionState.Connected), "PINGs are out; nobody is dead yet");
        clock.Advance(TimeSpan.FromMinutes(2) + TimeSpan.FromSeconds(15));

        var lost = await NextOfKindAsync(clientEvents, WsRestClientEventKind.Disconnected);
        Assert.That(lost.Error, Is.InstanceOf<TimeoutException>());
        Assert.That(lost.Error!.Message, Does.Contain("heartbeat"));
        var failed = await NextAsync(serverEvents);
        Assert.That(failed.Kind, Is.EqualTo(WsRestConnectionEventKind.Failed));
        Assert.That(failed.Error, Is.InstanceOf<TimeoutException>());
    }

    [Test]
    public async Task BackoffIsExponentialAndAttemptsAreCapped()
    {
        var clock = new ManualClock();
        await using var host = await TestHost.StartAsync(app => app.MapGet("/ping", () => "pong"));
        await using var proxy = FaultProxy.Start(host.WsRestEndpoint);
        var options = ThroughProxy(proxy);
        options.KeepAliveInterval = TimeSpan.Zero;
        options.Reconnect.InitialDelay = TimeSpan.FromSeconds(1);
        options.Reconnect.MaxDelay = TimeSpan.FromSeconds(8);
        options.Reconnect.UseJitter = false;
        options.Reconnect.MaxAttempts = 6;
        await using var client = new WsRestClient(options, timeProvider: clock);
        await client.ConnectAsync();
        await using var events = client.WatchAsync().GetAsyncEnumerator();

        proxy.RejectNew();
        proxy.ResetAll();

        // Each failed attempt arms one delay timer on the clock; advancing by it starts the next attempt.
        var delays = new List<TimeSpan>();
        while (true)
        {
            var next = await NextAsync(events);
            if (next.Kind == WsRestClientEventKind.Closed)
            {
                Assert.That(next.Error, Is.InstanceOf<HttpRequestException>());
                Assert.That(next.Error!.Message, Does.Contain("after 6 attempt"));
                break;
            }

            if (next.Kind == WsRestClientEventKind.Reconnecting)
            {
                Assert.That(next.Attempt, Is.EqualTo(delays.Count + 1));
                delays.Add(next.Delay);
                if (next.Attempt < 6)
                {
                    var due = await clock.TimerCreated.ReadAsync().AsTask().WaitAsync(Generous);
                    clock.Advance(due);
                }
            }
        }

        Assert.That(delays, Is.EqualTo(ExpectedBackoff));
        Assert.That(client.State, Is.EqualTo(WsRestConnectionState.Closed));
        using var http = new HttpClient(new WebSocketMessageHandler(client)) { BaseAddress = host.HttpAddress };
        var error = Assert.CatchAsync<HttpRequestException>(() => http.GetStringAsync("/ping").WaitAsync(Generous));
        Assert.That(error!.Message, Does.Contain("Gave up reconnecting"));
    }

    [Test]
    public async Task AUserSuppliedPollyPipelineReplacesTheBuiltInPolicy()
    {
        await using var host = await TestHost.StartAsync(app => app.MapGet("/ping", () => "pong"));
        await using var proxy = FaultProxy.Start(host.WsRestEndpoint);
        var attempts = 0;
        var options = ThroughProxy(proxy);
        options.Metadata["app"] = "inventory";
        options.Reconnect.Pipeline = new ResiliencePipelineBuilder()
            .AddRetry(new Polly.Retry.RetryStrategyOptions
            {
                ShouldHandle = new PredicateBuilder().Handle<HttpRequestException>(),
                MaxRetryAttempts = 2,
                Delay = TimeSpan.Zero,
                OnRetry = _ =>
                {
                    Interlocked.Increment(ref attempts);
                    return default;
                },
            })
            .Build();
        await using var client = new WsRestClient(options);
        await client.ConnectAsync();
        await using var events = client.WatchAsync().GetAsyncEnumerator();

        proxy.RejectNew();
        proxy.ResetAll();

        // Two retries after the first attempt, as the custom pipeline says, then the client gives up.
        var closed = await NextOfKindAsync(events, WsRestClientEventKind.Closed);
        Assert.That(closed.Error!.Message, Does.Contain("after 3 attempt"));
        Assert.That(attempts, Is.EqualTo(2));
    }

    [Test]
    public async Task AReconnectRunsTheHandshakeAgainWithTheSameMetadata()
    {
        await using var host = await TestHost.StartAsync(app => app.MapGet("/ping", () => "pong"));
        await using var proxy = FaultProxy.Start(host.WsRestEndpoint);
        await using var serverEvents = host.Registry.WatchAsync().GetAsyncEnumerator();
        var options = ThroughProxy(proxy);
        options.Metadata["app"] = "inventory";
        await using var client = new WsRestClient(options);
        await client.ConnectAsync();
        var first = await NextAsync(serverEvents);

        proxy.ResetAll();

        WsRestConnectionEvent second;
        do
        {
            second = await NextAsync(serverEvents);
        }
        while (second.Kind != WsRestConnectionEventKind.Connected);

        Assert.That(second.Connection.Metadata["app"], Is.EqualTo("inventory"));
        Assert.That(second.Connection.Id, Is.Not.EqualTo(first.Connection.Id));
        Assert.That(second.Connection.PreviousConnectionId, Is.EqualTo(first.Connection.Id));
    }

    [Test]
    public async Task WithReconnectDisabledALostConnectionClosesTheClient()
    {
        await using var host = await TestHost.StartAsync(app => app.MapGet("/ping", () => "pong"));
        await using var proxy = FaultProxy.Start(host.WsRestEndpoint);
        var options = ThroughProxy(proxy);
        options.Reconnect.Enabled = false;
        await using var client = new WsRestClient(options);
        await using var events = client.WatchAsync().GetAsyncEnumerator();
        using var http = new HttpClient(new WebSocketMessageHandler(client)) { BaseAddress = host.HttpAddress };
        Assert.That(await http.GetStringAsync("/ping"), Is.EqualTo("pong"));

        proxy.ResetAll();

        await NextOfKindAsync(events, WsRestClientEventKind.Closed);
        Assert.That(client.State, Is.EqualTo(WsRestConnectionState.Closed));
        var error = Assert.CatchAsync<HttpRequestException>(() => http.GetStringAsync("/ping").WaitAsync(Generous));
        Assert.That(error!.HttpRequestError, Is.EqualTo(HttpRequestError.ConnectionError));
        Assert.That(proxy.ConnectionsAccepted, Is.EqualTo(1), "no reconnect was attempted");
    }

    [Test]
    public async Task WaitingRequestsBeyondThePendingLimitFailAtOnceWhileReconnecting()
    {
        var clock = new ManualClock();
        await using var host = await TestHost.StartAsync(app => app.MapGet("/ping", () => "pong"));
        await using var proxy = FaultProxy.Start(host.WsRestEndpoint);
        var options = ThroughProxy(proxy);
        options.KeepAliveInterval = TimeSpan.Zero;
        // A delay no other timer of the client uses (the handshake's is 10 s, a send's 30 s), without
        // jitter, so the test can tell the backoff timer from the others the clock reports.
        var backoff = TimeSpan.FromSeconds(7);
        options.Reconnect.InitialDelay = backoff;
        options.Reconnect.MaxDelay = backoff;
        options.Reconnect.UseJitter = false;
        options.Reconnect.MaxPendingRequests = 2;
        await using var client = new WsRestClient(options, timeProvider: clock);
        using var http = new HttpClient(new WebSocketMessageHandler(client)) { BaseAddress = host.HttpAddress };
        Assert.That(await http.GetStringAsync("/ping"), Is.EqualTo("pong"));
        await using var events = client.WatchAsync().GetAsyncEnumerator();

        proxy.RejectNew();
        proxy.ResetAll();
        await NextOfKindAsync(events, WsRestClientEventKind.Reconnecting);

        // The clock also reports the timers armed before the drop (send timeouts, the handshake's);
        // taking the first of them as the backoff left the requests queued forever (1 run in 4).
        TimeSpan due;
        do
        {
            due = await clock.TimerCreated.ReadAsync().AsTask().WaitAsync(Generous);
        }
        while (due != backoff);

        // Backing off after a failed attempt: a request that does not wait for ready fails at once
        // (issue 13); those that wait count against MaxPendingRequests, and the one past it fails.
        var failFast = Assert.CatchAsync<HttpRequestException>(() => http.GetStringAsync("/ping").WaitAsync(Generous));
        Assert.That(failFast!.Message, Does.Contain("the last attempt failed"));
        var waiting = new[] { GetStringAsync(http, "/ping", waitForReady: true), GetStringAsync(http, "/ping", waitForReady: true) };
        var error = Assert.CatchAsync<HttpRequestException>(() => GetStringAsync(http, "/ping", waitForReady: true).WaitAsync(Generous));
        Assert.That(error!.Message, Does.Contain("MaxPendingRequests"));

        proxy.RejectNew(false);
        clock.Advance(due);
        Assert.That(await Task.WhenAll(waiting).WaitAsync(Generous), Is.All.EqualTo("pong"), "the queued requests ran after the reconnect");
    }

    [Test]
    public async Task AReconnectStormOfAHundredClientsSettlesWithoutSpinning()
    {
        await using var host = await TestHost.StartAsync(app => app.MapGet("/ping", () => "pong"));
        await using var proxy = FaultProxy.Start(host.WsRestEndpoint);
        var clients = new List<WsRestClient>();
        try
        {
            for (var i = 0; i < 100; i++)
            {
                var options = ThroughProxy(proxy);
                options.Reconnect.InitialDelay = TimeSpan.FromMilliseconds(100);
                options.Reconnect.MaxDelay = TimeSpan.FromSeconds(1);
                var client = new WsRestClient(options);
                clients.Add(client);
                await client.ConnectAsync();
            }

            var reconnected = clients.Select(c => WaitForAsync(c, WsRestClientEventKind.Reconnected)).ToArray();
            proxy.ResetAll();
            await Task.WhenAll(reconnected).WaitAsync(TimeSpan.FromSeconds(60));

            var answers = await Task.WhenAll(clients.Select(async c =>
            {
                using var http = new HttpClient(new WebSocketMessageHandler(c), disposeHandler: false) { BaseAddress = host.HttpAddress };
                return await http.GetStringAsync("/ping");
            })).WaitAsync(Generous);
            Assert.That(answers, Is.All.EqualTo("pong"));
            Assert.That(proxy.ConnectionsAccepted, Is.InRange(200, 100 + (100 * 3)), "each client reconnected with a few attempts at most, none spun");
        }
        finally
        {
            foreach (var client in clients)
            {
                await client.DisposeAsync();
            }
        }
    }

    private static async Task<List<WsRestClientEventKind>> KindsUntilAsync(IAsyncEnumerator<WsRestClientEvent> events, WsRestClientEventKind last)
    {
        var kinds = new List<WsRestClientEventKind>();
        while (kinds.LastOrDefault() != last || kinds.Count == 0)
        {
            kinds.Add((await NextAsync(events)).Kind);
        }

        return kinds;
    }

    private static Task WaitForAsync(WsRestClient client, WsRestClientEventKind kind)
    {
        var seen = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        client.ConnectionEvent += (_, e) =>
        {
            if (e.Kind == kind)
            {
                seen.TrySetResult();
            }
        };
        return seen.Task;
    }
}
