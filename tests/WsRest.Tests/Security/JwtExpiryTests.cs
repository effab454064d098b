using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using WsRest.Client;
using WsRest.Server;
using WsRest.Tests.Infrastructure;

namespace WsRest.Tests.Security;

/// <summary>
/// A connection authenticated with a real JWT at the upgrade ends gracefully (GOAWAY, a Closed event,
/// not Failed) when the token's <c>exp</c> passes (<see cref="WsRestServerOptions.CloseOnCredentialExpiry"/>):
/// JwtBearer puts <c>exp</c> in <c>AuthenticationProperties.ExpiresUtc</c>, and the client's reconnect
/// brings a fresh token.
/// </summary>
public class JwtExpiryTests
{
    private static readonly TimeSpan Generous = TimeSpan.FromSeconds(30);

    [Test]
    public async Task AConnectionIsClosedWhenItsTokenExpiresAndTheClientComesBackWithAFreshOne()
    {
        // The server's clock starts at the real time (JwtBearer checks lifetimes on the real clock) and
        // moves only when the test says; each token expires ten minutes after the server's now.
        var clock = new ManualClock();
        clock.Advance(DateTimeOffset.UtcNow - clock.GetUtcNow());
        var tokensIssued = 0;
        await using var host = await TestHost.StartAsync(
            app =>
            {
                app.UseAuthentication();
                app.UseAuthorization();
                app.MapGet("/me", (HttpContext context) => context.User.Identity?.Name ?? "anonymous");
            },
            o =>
            {
                o.TimeProvider = clock;
                o.KeepAliveInterval = TimeSpan.Zero; // only the expiry may act when the clock jumps
            },
            builder =>
            {
                builder.Services.AddTestJwtBearer();
                builder.Services.AddAuthorization();
            },
            endpoint => endpoint.RequireAuthorization());
        await using var events = host.Registry.WatchAsync().GetAsyncEnumerator();
        var client = await host.ConnectAsync(o =>
        {
            // Called for every (re)connect: each upgrade brings a newly issued token.
            o.ConfigureWebSocket = ws =>
            {
                Interlocked.Increment(ref tokensIssued);
                ws.SetRequestHeader("Authorization", "Bearer " + TestJwt.Issue("alice", expires: clock.GetUtcNow() + TimeSpan.FromMinutes(10)));
            };
            o.Reconnect.InitialDelay = TimeSpan.Zero;
        });
        using var http = new HttpClient(new WebSocketMessageHandler(client)) { BaseAddress = host.HttpAddress };
        Assert.That(await http.GetStringAsync("/me"), Is.EqualTo("alice"));
        Assert.That(await events.MoveNextAsync().AsTask().WaitAsync(Generous), Is.True);
        var first = events.Current.Connection;
        Assert.That(first.User.Identity?.Name, Is.EqualTo("alice"), "authenticated at the upgrade by JwtBearer");

        clock.Advance(TimeSpan.FromMinutes(10));

        // GOAWAY at expiry: the server closes the first connection; the client reconnects with a new token.
        var seen = new List<(WsRestConnectionEventKind Kind, string Id)>();
        while (!(seen.Any(e => e.Kind == WsRestConnectionEventKind.Closed && e.Id == first.Id) && seen.Any(e => e.Kind == WsRestConnectionEventKind.Connected)))
        {
            Assert.That(await events.MoveNextAsync().AsTask().WaitAsync(Generous), Is.True);
            seen.Add((events.Current.Kind, events.Current.Connection.Id));
        }

        Assert.That(await http.GetStringAsync("/me"), Is.EqualTo("alice"));
        Assert.That(client.ConnectionId, Is.Not.EqualTo(first.Id));
        Assert.That(Volatile.Read(ref tokensIssued), Is.EqualTo(2), "one token per upgrade: the reconnect brought a fresh one");
        Assert.That(seen.Where(e => e.Id == first.Id).Select(e => e.Kind), Does.Not.Contain(WsRestConnectionEventKind.Failed), "a graceful close (GOAWAY), not a failure");
    }

    [Test]
    public async Task AnExpiredTokenIsRefusedAtTheUpgrade()
    {
        await using var host = await TestHost.StartAsync(
            app =>
            {
                app.UseAuthentication();
                app.UseAuthorization();
                app.MapGet("/me", (HttpContext context) => context.User.Identity?.Name);
            },
            configureBuilder: builder =>
            {
                builder.Services.AddTestJwtBearer();
                builder.Services.AddAuthorization();
            },
            configureEndpoint: endpoint => endpoint.RequireAuthorization());
        var expired = TestJwt.Issue("alice", expires: DateTimeOffset.UtcNow - TimeSpan.FromMinutes(10));

        var error = Assert.CatchAsync<HttpRequestException>(() => host.ConnectAsync(o => o.ConfigureWebSocket = ws => ws.SetRequestHeader("Authorization", "Bearer " + expired)));

        Assert.That(error!.ToString(), Does.Contain("401"));
    }
}
