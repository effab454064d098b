using System.Net;
using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using WsRest.Client;
using WsRest.Protocol;
using WsRest.Server;
using WsRest.Tests.Infrastructure;

namespace WsRest.Tests.Protocol;

/// <summary>Each server limit is hit once: a clear error, and nothing else is lost.</summary>
public class LimitsTests
{
    private static readonly TimeSpan Generous = TimeSpan.FromSeconds(30);

    [Test]
    public async Task AForeignOriginIsRefusedAndTheServersOwnOriginOrAnAllowedOneIsNot()
    {
        await using var host = await TestHost.StartAsync(app => app.MapGet("/ping", () => "pong"));
        await using var allowing = await TestHost.StartAsync(app => app.MapGet("/ping", () => "pong"), o => o.AllowedOrigins.Add("https://shop.example"));

        var error = Assert.CatchAsync<HttpRequestException>(() => host.ConnectAsync(o => o.ConfigureWebSocket = ws => ws.SetRequestHeader("Origin", "https://evil.example")));
        Assert.That(error!.ToString(), Does.Contain("403"));

        var sameOrigin = await host.ConnectAsync(o => o.ConfigureWebSocket = ws => ws.SetRequestHeader("Origin", $"http://{host.HttpAddress.Authority}"));
        Assert.That(sameOrigin.State, Is.EqualTo(WsRestConnectionState.Connected));
        var listed = await allowing.ConnectAsync(o => o.ConfigureWebSocket = ws => ws.SetRequestHeader("Origin", "https://shop.example"));
        Assert.That(listed.State, Is.EqualTo(WsRestConnectionState.Connected));
        var noOrigin = await host.ConnectAsync();
        Assert.That(noOrigin.State, Is.EqualTo(WsRestConnectionState.Connected), "non-browser clients send no Origin");
    }

    [Test]
    public async Task ConnectionsBeyondTheServerLimitAreRefusedWith503()
    {
        await using var host = await TestHost.StartAsync(app => app.MapGet("/ping", () => "pong"), o => o.MaxConnections = 2);
        await using var events = host.Registry.WatchAsync().GetAsyncEnumerator();
        var first = await host.ConnectAsync();
        await host.ConnectAsync();
        for (var i = 0; i < 2; i++)
        {
            Assert.That(await events.MoveNextAsync().AsTask().WaitAsync(Generous), Is.True);
        }

        var error = Assert.CatchAsync<HttpRequestException>(() => host.ConnectAsync());

        Assert.That(error!.ToString(), Does.Contain("503"));
        using var http = new HttpClient(new WebSocketMessageHandler(first)) { BaseAddress = host.HttpAddress };
        Assert.That(await http.GetStringAsync("/ping"), Is.EqualTo("pong"));
    }

    [Test]
    public async Task ConnectionsBeyondThePerUserLimitAreRefusedWith429()
    {
        await using var host = await TestHost.StartAsync(
            app =>
            {
                app.UseAuthentication();
                app.MapGet("/ping", () => "pong");
            },
            o => o.MaxConnectionsPerUser = 1,
            builder => builder.Services.AddAuthentication("Test").AddScheme<AuthenticationSchemeOptions, HeaderUserHandler>("Test", null));
        await using var events = host.Registry.WatchAsync().GetAsyncEnumerator();
        await host.ConnectAsync(As("alice"));
        Assert.That(await events.MoveNextAsync().AsTask().WaitAsync(Generous), Is.True);

        var error = Assert.CatchAsync<HttpRequestException>(() => host.ConnectAsync(As("alice")));
        var bob = await host.ConnectAsync(As("bob"));

        Assert.That(error!.ToString(), Does.Contain("429"));
        Assert.That(bob.State, Is.EqualTo(WsRestConnectionState.Connected));
    }

    [Test]
    public async Task UpgradesCountAgainstThePerUserLimitBeforeTheirHandshakeCompletes()
    {
        await using var host = await TestHost.StartAsync(
            app =>
            {
                app.UseAuthentication();
                app.MapGet("/ping", () => "pong");
            },
            o => o.MaxConnectionsPerUser = 2,
            builder => builder.Services.AddAuthentication("Test").AddScheme<AuthenticationSchemeOptions, HeaderUserHandler>("Test", null));
        await using var events = host.Registry.WatchAsync().GetAsyncEnumerator();

        // Six upgrades as one user, none of them past its handshake yet when the others arrive.
        var (admitted, refused) = await UpgradeAsync(host, 6, _ => "alice");
        foreach (var connection in admitted)
        {
            await connection.HandshakeAsync();
        }

        Assert.That(admitted, Has.Count.EqualTo(2), "two upgrades are admitted, the other four refused at the upgrade");
        Assert.That(refused, Has.All.Contains("429"));
        for (var i = 0; i < 2; i++)
        {
            Assert.That(await events.MoveNextAsync().AsTask().WaitAsync(Generous), Is.True);
        }

        Assert.That(host.Registry.Count, Is.EqualTo(2));

        // A connection that ends gives its place back: the user may connect again.
        await admitted[0].DisposeAsync();
        Assert.That(await events.MoveNextAsync().AsTask().WaitAsync(Generous), Is.True);
        Assert.That(events.Current.Kind, Is.Not.EqualTo(WsRestConnectionEventKind.Connected));
        var again = await host.ConnectAsync(As("alice"));
        Assert.That(again.State, Is.EqualTo(WsRestConnectionState.Connected));
        await admitted[1].DisposeAsync();
    }

    [Test]
    public async Task UpgradesCountAgainstTheServerLimitBeforeTheirHandshakeCompletes()
    {
        await using var host = await TestHost.StartAsync(app => app.MapGet("/ping", () => "pong"), o => o.MaxConnections = 4);

        var (admitted, refused) = await UpgradeAsync(host, 6, i => null);
        foreach (var connection in admitted)
        {
            await connection.HandshakeAsync();
        }

        Assert.That(admitted, Has.Count.EqualTo(4));
        Assert.That(refused, Has.Count.EqualTo(2).And.All.Contains("503"));
        foreach (var connection in admitted)
        {
            await connection.DisposeAsync();
        }
    }

    /// <summary>Opens <paramref name="count"/> WebSocket upgrades at once (no handshake): the admitted ones, and the refusals' messages.</summary>
    private static async Task<(List<RawConnection> Admitted, List<string> Refused)> UpgradeAsync(TestHost host, int count, Func<int, string?> user)
    {
        var attempts = Enumerable.Range(0, count).Select(async i =>
        {
            try
            {
                return (Connection: await RawConnection.OpenAsync(host.WsRestEndpoint, handshake: false, configure: ws =>
                {
                    if (user(i) is { } name)
                    {
                        ws.SetRequestHeader("X-Test-User", name);
                    }
                }), Error: (string?)null);
            }
            catch (System.Net.WebSockets.WebSocketException ex)
            {
                return (Connection: (RawConnection?)null, Error: ex.Message);
            }
        });
        var results = await Task.WhenAll(attempts).WaitAsync(Generous);
        return ([.. results.Where(r => r.Connection is not null).Select(r => r.Connection!)], [.. results.Where(r => r.Error is not null).Select(r => r.Error!)]);
    }

    [Test]
    public async Task TooManyRequestHeadersGet431AndOnlyThatRequest()
    {
        await using var host = await TestHost.StartAsync(app => app.MapGet("/ping", () => "pong"), o => o.MaxRequestHeaderCount = 5);
        using var http = await host.CreateWsRestHttpClientAsync();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/ping");
        for (var i = 0; i < 10; i++)
        {
            request.Headers.TryAddWithoutValidation($"x-h{i}", "v");
        }

        // Over the protocol's count the request is answered as Kestrel answers too many headers, not reset (issue 13).
        using var response = await http.SendAsync(request);

        Assert.That(response.StatusCode, Is.EqualTo(System.Net.HttpStatusCode.RequestHeaderFieldsTooLarge));
        Assert.That(await http.GetStringAsync("/ping"), Is.EqualTo("pong"));
    }

    [Test]
    public async Task AClientThatStopsReadingIsCutOffAfterTheSendTimeout()
    {
        await using var host = await TestHost.StartAsync(
            app =>
            {
                app.MapGet("/big", async (HttpContext context) =>
                {
                    var chunk = new byte[64 * 1024];
                    for (var i = 0; i < 64 && !context.RequestAborted.IsCancellationRequested; i++)
                    {
                        await context.Response.Body.WriteAsync(chunk, context.RequestAborted);
                    }
                });
                app.MapGet("/ping", () => "pong");
            },
            o =>
            {
                o.SendTimeout = TimeSpan.FromMilliseconds(500);
                o.KeepAliveInterval = TimeSpan.Zero;
            });
        using var bystander = await host.CreateWsRestHttpClientAsync();
        await using var events = host.Registry.WatchAsync().GetAsyncEnumerator();

        // A raw client with huge windows asks for 4 MiB per request and never reads its socket.
        await using var raw = await RawConnection.OpenAsync(host.WsRestEndpoint, handshake: false);
        await raw.HandshakeAsync(new PeerSettings { InitialStreamWindow = int.MaxValue / 2, InitialConnectionWindow = int.MaxValue / 2, MaxMessageSize = 1 << 20 });
        for (ulong id = 1; id < 20; id += 2)
        {
            await raw.SendGetAsync(id, "/big");
        }

        WsRestConnectionEvent failed;
        do
        {
            Assert.That(await events.MoveNextAsync().AsTask().WaitAsync(Generous), Is.True);
            failed = events.Current;
        }
        while (failed.Kind != WsRestConnectionEventKind.Failed);

        Assert.That(failed.Error, Is.InstanceOf<TimeoutException>());
        Assert.That(failed.Error!.Message, Does.Contain("send timeout"));
        Assert.That(await bystander.GetStringAsync("/ping"), Is.EqualTo("pong"));
    }

    private static Action<WsRestClientOptions> As(string user) => o => o.ConfigureWebSocket = ws => ws.SetRequestHeader("X-Test-User", user);

    private sealed class HeaderUserHandler(IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder)
        : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
    {
        protected override Task<AuthenticateResult> HandleAuthenticateAsync()
            => Task.FromResult(Request.Headers.TryGetValue("X-Test-User", out var name) && !string.IsNullOrEmpty(name)
                ? AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(new ClaimsIdentity([new Claim(ClaimTypes.Name, name!)], Scheme.Name)), Scheme.Name))
                : AuthenticateResult.NoResult());
    }
}
