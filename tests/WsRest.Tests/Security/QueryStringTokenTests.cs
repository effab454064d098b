using System.Collections.Concurrent;
using System.Net;
using System.Net.WebSockets;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using WsRest.Client;
using WsRest.Tests.Infrastructure;

namespace WsRest.Tests.Security;

/// <summary>
/// Browsers cannot set headers on a WebSocket upgrade, so the token rides in the query string, accepted
/// (as SignalR does) only on the WsRest path; <c>MapWsRest(...).RequireAuthorization()</c> refuses an
/// upgrade without it with 401 before any WsRest frame.
/// </summary>
public class QueryStringTokenTests
{
    private TestHost _host = null!;
    private static readonly string[] AliceOnly = ["alice"];

    private ConcurrentQueue<string> _logs = null!;
    private bool _stopped;

    [SetUp]
    public async Task StartAsync()
    {
        _logs = new ConcurrentQueue<string>();
        _stopped = false;
        _host = await TestHost.StartAsync(
            app =>
            {
                app.UseAuthentication();
                app.UseAuthorization();
                app.MapGet("/me", (HttpContext context) => context.User.Identity!.Name).RequireAuthorization();
                app.MapWsRest("/wsrest/admin").RequireAuthorization("Admin");
            },
            configureBuilder: builder =>
            {
                builder.Logging.AddProvider(new CapturingLoggerProvider(_logs));
                builder.Logging.SetMinimumLevel(LogLevel.Trace);
                builder.Services.AddTestJwtBearer(acceptsQueryToken: static request => request.Path.StartsWithSegments("/wsrest"));
                builder.Services.AddAuthorizationBuilder().AddPolicy("Admin", policy => policy.RequireRole("admin"));
            },
            configureEndpoint: endpoint => endpoint.RequireAuthorization());
    }

    [TearDown]
    public async Task StopAsync()
    {
        if (!_stopped)
        {
            await _host.DisposeAsync();
        }
    }

    [Test]
    public async Task TokenInTheEndpointUriAuthenticatesTheConnection()
    {
        using var http = await _host.CreateWsRestHttpClientAsync(o => o.Endpoint = WithToken(_host.WsRestEndpoint, TestJwt.AliceToken));

        Assert.That(await http.GetStringAsync("/me"), Is.EqualTo("alice"));

        // A tunneled request's own access_token is not accepted off the WsRest path: it cannot switch identity.
        Assert.That(await http.GetStringAsync($"/me?access_token={TestJwt.BobToken}"), Is.EqualTo("alice"));
        Assert.That(_host.Registry.Connections.Select(c => c.User.Identity?.Name), Is.EqualTo(AliceOnly));
    }

    [Test]
    public async Task QueryTokenIsNotAcceptedOnPlainHttpRequestsOffTheWsRestPath()
    {
        using var plain = _host.CreatePlainHttpClient();

        using var response = await plain.GetAsync($"/me?access_token={TestJwt.AliceToken}");

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
    }

    [TestCase(null)]
    [TestCase("not-a-token")]
    public async Task UpgradeWithoutAValidTokenIsRefusedWith401(string? token)
    {
        var endpoint = token is null ? _host.WsRestEndpoint : WithToken(_host.WsRestEndpoint, token);

        var error = Assert.CatchAsync<HttpRequestException>(() => _host.ConnectAsync(o => o.Endpoint = endpoint));

        Assert.That(error!.HttpRequestError, Is.EqualTo(HttpRequestError.ConnectionError), error.ToString());
        Assert.That(error.ToString(), Does.Contain("401"));

        // The same upgrade by hand: the answer is a 401, not 101, so no WebSocket (and no WsRest frame) ever existed.
        var status = await RawUpgradeStatusAsync(endpoint);
        Assert.That(status, Is.EqualTo(HttpStatusCode.Unauthorized));
        Assert.That(_host.Registry.Connections, Is.Empty);
        Assert.That(_logs.Where(IsFromWsRest), Is.Empty, "the WsRest endpoint never ran");
    }

    [Test]
    public async Task UpgradeWhosePolicyFailsIsRefusedWith403()
    {
        var admin = new Uri(_host.WsRestEndpoint, "/wsrest/admin");

        var bobStatus = await RawUpgradeStatusAsync(WithToken(admin, TestJwt.BobToken));
        var error = Assert.CatchAsync<HttpRequestException>(() => _host.ConnectAsync(o => o.Endpoint = WithToken(admin, TestJwt.BobToken)));
        using var http = await _host.CreateWsRestHttpClientAsync(o => o.Endpoint = WithToken(admin, TestJwt.AliceToken));

        Assert.That(bobStatus, Is.EqualTo(HttpStatusCode.Forbidden));
        Assert.That(error!.ToString(), Does.Contain("403"));
        Assert.That(await http.GetStringAsync("/me"), Is.EqualTo("alice"));
        Assert.That(_host.Registry.Connections.Select(c => c.User.Identity?.Name), Is.EqualTo(AliceOnly));
    }

    [Test]
    public async Task TheTokenIsNeverLoggedByWsRest()
    {
        using (var http = await _host.CreateWsRestHttpClientAsync(o => o.Endpoint = WithToken(_host.WsRestEndpoint, TestJwt.AliceToken)))
        {
            Assert.That(await http.GetStringAsync("/me"), Is.EqualTo("alice"));
        }

        Assert.CatchAsync<HttpRequestException>(() => _host.ConnectAsync(o => o.Endpoint = WithToken(_host.WsRestEndpoint, "secret-but-wrong")));
        // Stopped, so the connection's close is logged too.
        _stopped = true;
        await _host.DisposeAsync();

        var wsRestEntries = _logs.Where(IsFromWsRest).ToList();
        Assert.That(wsRestEntries, Has.Some.StartsWith("WsRest.Server[1] "), "WsRest logged the connection");
        Assert.That(wsRestEntries, Has.None.Contains(TestJwt.AliceToken).And.None.Contains("secret-but-wrong"));
    }

    /// <summary>An entry logged by the library (WsRest.Server, WsRest.Client...), not by this test's own handler.</summary>
    private static bool IsFromWsRest(string entry)
        => entry.StartsWith("WsRest.", StringComparison.Ordinal) && !entry.StartsWith("WsRest.Tests.", StringComparison.Ordinal);

    private static Uri WithToken(Uri endpoint, string token) => new UriBuilder(endpoint) { Query = "access_token=" + Uri.EscapeDataString(token) }.Uri;

    /// <summary>The status of a wsrest.v1 upgrade attempted with a bare ClientWebSocket (101 when it opens).</summary>
    private static async Task<HttpStatusCode> RawUpgradeStatusAsync(Uri endpoint)
    {
        using var socket = new ClientWebSocket();
        socket.Options.AddSubProtocol("wsrest.v1");
        socket.Options.CollectHttpResponseDetails = true;
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        try
        {
            await socket.ConnectAsync(endpoint, timeout.Token);
        }
        catch (WebSocketException)
        {
            Assert.That(socket.State, Is.Not.EqualTo(WebSocketState.Open));
            return socket.HttpStatusCode;
        }

        socket.Abort();
        return socket.HttpStatusCode;
    }
}
