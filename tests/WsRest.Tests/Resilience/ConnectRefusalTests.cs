using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using WsRest.Client;
using WsRest.Tests.Infrastructure;
using static WsRest.Tests.Resilience.ClientEvents;

namespace WsRest.Tests.Resilience;

/// <summary>
/// A refused upgrade says with what (issue 18): its status code on the exception, the events and the
/// log; a refusal that retrying cannot heal stops the reconnecting; a redirect is called a redirect.
/// </summary>
public class ConnectRefusalTests
{
    [Test]
    public async Task AFirstConnectRefusedWith401CarriesTheStatusAndRaisesConnectFailedNotDisconnected()
    {
        await using var host = await TestHost.StartAsync(app => app.Use(RefuseUpgrades(() => StatusCodes.Status401Unauthorized)));
        await using var client = new WsRestClient(new WsRestClientOptions { Endpoint = host.WsRestEndpoint });
        await using var events = client.WatchAsync().GetAsyncEnumerator();

        var error = Assert.CatchAsync<HttpRequestException>(() => client.ConnectAsync().WaitAsync(Generous));

        Assert.That(error!.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
        Assert.That(error.HttpRequestError, Is.EqualTo(HttpRequestError.ConnectionError));
        Assert.That(error.Message, Does.Contain("refused the WebSocket upgrade with 401"));
        Assert.That((await NextAsync(events)).Kind, Is.EqualTo(WsRestClientEventKind.Connecting));
        var failed = await NextAsync(events);
        Assert.That(failed.Kind, Is.EqualTo(WsRestClientEventKind.ConnectFailed), "a connection that never was is not Disconnected");
        Assert.That(failed.Error, Is.SameAs(error));
        Assert.That(client.State, Is.EqualTo(WsRestConnectionState.Disconnected));
    }

    [Test]
    public async Task AConnectionRefusedHasNoStatusCode()
    {
        var closedPort = new TcpListener(IPAddress.Loopback, 0);
        closedPort.Start();
        var port = ((IPEndPoint)closedPort.LocalEndpoint).Port;
        closedPort.Stop();
        await using var client = new WsRestClient(new WsRestClientOptions { Endpoint = new Uri($"ws://127.0.0.1:{port}/wsrest") });

        var error = Assert.CatchAsync<HttpRequestException>(() => client.ConnectAsync().WaitAsync(Generous));

        Assert.That(error!.StatusCode, Is.Null);
        Assert.That(error.HttpRequestError, Is.EqualTo(HttpRequestError.ConnectionError));
        Assert.That(error.Message, Does.StartWith("Could not connect to"));
    }

    [Test]
    public async Task AReconnectRefusedWith401StopsReconnectingAndFailsRequestsWithThatCause()
    {
        var refuse = false;
        var logs = new TestLoggerProvider();
        using var loggerFactory = LoggerFactory.Create(b => b.AddProvider(logs));
        await using var host = await TestHost.StartAsync(app =>
        {
            app.Use(RefuseUpgrades(() => Volatile.Read(ref refuse) ? StatusCodes.Status401Unauthorized : null));
            app.MapGet("/ping", () => "pong");
        });
        await using var proxy = FaultProxy.Start(host.WsRestEndpoint);
        await using var client = new WsRestClient(ThroughProxy(proxy), loggerFactory);
        await using var events = client.WatchAsync().GetAsyncEnumerator();
        using var http = new HttpClient(new WebSocketMessageHandler(client)) { BaseAddress = host.HttpAddress };
        Assert.That(await http.GetStringAsync("/ping"), Is.EqualTo("pong"));

        // A rotated key: the server now refuses this client's upgrade.
        Volatile.Write(ref refuse, true);
        proxy.ResetAll();

        var lost = await NextOfKindAsync(events, WsRestClientEventKind.Disconnected);
        var reconnecting = await NextAsync(events);
        Assert.That(reconnecting.Kind, Is.EqualTo(WsRestClientEventKind.Reconnecting));
        Assert.That(reconnecting.Error, Is.Not.Null.And.SameAs(lost.Error), "the first attempt's cause is the lost connection's reason");
        var closed = await NextAsync(events);
        Assert.That(closed.Kind, Is.EqualTo(WsRestClientEventKind.Closed), "no second attempt after a 401");
        var cause = (HttpRequestException)closed.Error!;
        Assert.That(cause.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
        Assert.That(cause.Message, Does.Contain("Stopped reconnecting").And.Contain("401"));

        var error = Assert.CatchAsync<HttpRequestException>(() => GetStringAsync(http, "/ping", waitForReady: true).WaitAsync(Generous));
        Assert.That(error!.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized), "requests fail with the cause, even those that wait for ready");
        Assert.That(proxy.ConnectionsAccepted, Is.EqualTo(2), "one reconnect attempt");
        Assert.That(logs.Entries, Has.Some.Contains("stopped reconnecting").And.Contains("status 401"));
    }

    [Test]
    public async Task APolicyThatRetriesRefusalsKeepsReconnectingAndReportsEachCause()
    {
        var refuse = false;
        await using var host = await TestHost.StartAsync(app =>
        {
            app.Use(RefuseUpgrades(() => Volatile.Read(ref refuse) ? StatusCodes.Status403Forbidden : null));
            app.MapGet("/ping", () => "pong");
        });
        await using var proxy = FaultProxy.Start(host.WsRestEndpoint);
        var options = ThroughProxy(proxy);
        options.Reconnect.IsPermanentFailure = _ => false;
        await using var client = new WsRestClient(options);
        await using var events = client.WatchAsync().GetAsyncEnumerator();
        await client.ConnectAsync();

        Volatile.Write(ref refuse, true);
        proxy.ResetAll();
        var retried = await NextFailedAttemptAsync(events);
        Assert.That(((HttpRequestException)retried.Error!).StatusCode, Is.EqualTo(HttpStatusCode.Forbidden), "the Reconnecting event carries the previous attempt's status");

        Volatile.Write(ref refuse, false);
        await NextOfKindAsync(events, WsRestClientEventKind.Reconnected);
        Assert.That(client.State, Is.EqualTo(WsRestConnectionState.Connected));
    }

    [Test]
    public void TheDefaultPolicyTreatsAuthorizationNotFoundAndProtocolVersionRefusalsAsPermanent()
    {
        static HttpRequestException Refused(HttpStatusCode status) => new(HttpRequestError.ConnectionError, "refused", null, status);
        var version = new HttpRequestException(HttpRequestError.ConnectionError, "handshake failed", new WsRestProtocolException(WsRestErrorCode.UnsupportedVersion, "version 2"));
        using (Assert.EnterMultipleScope())
        {
            Assert.That(WsRestReconnectOptions.IsPermanentRefusal(Refused(HttpStatusCode.Unauthorized)), Is.True);
            Assert.That(WsRestReconnectOptions.IsPermanentRefusal(Refused(HttpStatusCode.Forbidden)), Is.True);
            Assert.That(WsRestReconnectOptions.IsPermanentRefusal(Refused(HttpStatusCode.NotFound)), Is.True);
            Assert.That(WsRestReconnectOptions.IsPermanentRefusal(version), Is.True);
            Assert.That(WsRestReconnectOptions.IsPermanentRefusal(Refused(HttpStatusCode.ServiceUnavailable)), Is.False, "a draining server comes back");
            Assert.That(WsRestReconnectOptions.IsPermanentRefusal(Refused(HttpStatusCode.TooManyRequests)), Is.False);
            Assert.That(WsRestReconnectOptions.IsPermanentRefusal(new HttpRequestException(HttpRequestError.ConnectionError, "refused")), Is.False);
            Assert.That(new WsRestReconnectOptions().IsPermanentFailure, Is.EqualTo((Func<HttpRequestException, bool>)WsRestReconnectOptions.IsPermanentRefusal));
        }
    }

    [Test]
    public void APermanentFailurePredicateOfNullIsRefusedAtConstruction()
    {
        var options = new WsRestClientOptions { Endpoint = new Uri("ws://127.0.0.1:1/wsrest") };
        options.Reconnect.IsPermanentFailure = null!;

        Assert.That(() => new WsRestClient(options), Throws.InvalidOperationException.With.Message.Contains("IsPermanentFailure"));
    }

    [Test]
    public async Task UseHttpsRedirectionOnTheServerIsReportedAsARedirectOfTheUpgrade()
    {
        await using var host = await TestHost.StartAsync(
            app => app.UseHttpsRedirection(),
            configureBuilder: builder => builder.Services.AddHttpsRedirection(o => o.HttpsPort = 44300));
        await using var client = new WsRestClient(new WsRestClientOptions { Endpoint = host.WsRestEndpoint });

        var error = Assert.CatchAsync<HttpRequestException>(() => client.ConnectAsync().WaitAsync(Generous));

        Assert.That(error!.Message, Does.Contain("redirected the WebSocket upgrade").And.Contain("to https://127.0.0.1:44300/wsrest"));
        Assert.That(error.Message, Does.Not.StartWith("Could not connect"));
        Assert.That(error.StatusCode, Is.EqualTo(HttpStatusCode.TemporaryRedirect));
    }

    /// <summary>Middleware answering WebSocket upgrades with the status <paramref name="status"/> returns (none: let it through).</summary>
    private static Func<HttpContext, RequestDelegate, Task> RefuseUpgrades(Func<int?> status)
        => (context, next) =>
        {
            if (context.WebSockets.IsWebSocketRequest && status() is { } refusal)
            {
                context.Response.StatusCode = refusal;
                return Task.CompletedTask;
            }

            return next(context);
        };
}
