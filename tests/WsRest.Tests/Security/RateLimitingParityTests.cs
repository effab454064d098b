using System.Net;
using System.Net.Http.Headers;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.DependencyInjection;
using WsRest.Client;
using WsRest.Tests.Infrastructure;

namespace WsRest.Tests.Security;

/// <summary>ASP.NET Core rate limiting applies to tunneled requests as to HTTP ones, and attributes them to the upgrade's user.</summary>
public class RateLimitingParityTests
{
    private readonly List<TestHost> _hosts = [];

    [TearDown]
    public async Task StopAsync()
    {
        foreach (var host in _hosts)
        {
            await host.DisposeAsync();
        }

        _hosts.Clear();
    }

    [Test]
    public async Task FourthRequestGets429OverWsRestAsOverHttp()
    {
        // One host per transport, so the two fixed windows count separately.
        var httpHost = await StartAsync();
        var wsRestHost = await StartAsync();
        using var plain = httpHost.CreatePlainHttpClient();
        using var tunneled = await wsRestHost.CreateWsRestHttpClientAsync();

        var overHttp = await StatusesAsync(plain, "/fixed", 5);
        var overWsRest = await StatusesAsync(tunneled, "/fixed", 5);

        HttpStatusCode[] expected = [HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.TooManyRequests, HttpStatusCode.TooManyRequests];
        Assert.That(overHttp, Is.EqualTo(expected), "over HTTP");
        Assert.That(overWsRest, Is.EqualTo(expected), "over WsRest");

        // The limit is per window, not per connection: a second connection is still limited; an unlimited endpoint is not.
        using var second = await wsRestHost.CreateWsRestHttpClientAsync();
        using var limited = await second.GetAsync("/fixed");
        using var unlimited = await second.GetAsync("/unlimited");
        Assert.That(limited.StatusCode, Is.EqualTo(HttpStatusCode.TooManyRequests));
        Assert.That(unlimited.StatusCode, Is.EqualTo(HttpStatusCode.OK));
    }

    [Test]
    public async Task PartitionByUserAttributesTunneledRequestsToTheUpgradesUser()
    {
        var host = await StartAsync();
        using var plain = host.CreatePlainHttpClient();
        using var alice = await host.CreateWsRestHttpClientAsync(o => o.ConfigureWebSocket = ws => ws.SetRequestHeader("Authorization", "Bearer " + TestJwt.AliceToken));
        using var bob = await host.CreateWsRestHttpClientAsync(o => o.ConfigureWebSocket = ws => ws.SetRequestHeader("Authorization", "Bearer " + TestJwt.BobToken));
        using var anonymous = await host.CreateWsRestHttpClientAsync();

        // The endpoint answers with the partition it was counted in.
        Assert.That(await alice.GetStringAsync("/per-user"), Is.EqualTo("alice"));
        Assert.That(await alice.GetStringAsync("/per-user"), Is.EqualTo("alice"));
        Assert.That(await StatusesAsync(alice, "/per-user", 1), Is.EqualTo(new[] { HttpStatusCode.TooManyRequests }), "alice's third tunneled request");

        // Alice's partition is spent by her tunneled requests, over HTTP too; bob's and the anonymous one are untouched.
        Assert.That(await SendAsync(plain, "/per-user", TestJwt.AliceToken), Is.EqualTo(HttpStatusCode.TooManyRequests), "alice over HTTP");
        Assert.That(await bob.GetStringAsync("/per-user"), Is.EqualTo("bob"));
        Assert.That(await SendAsync(plain, "/per-user", TestJwt.BobToken), Is.EqualTo(HttpStatusCode.OK), "bob's second request, over HTTP");
        Assert.That(await StatusesAsync(bob, "/per-user", 1), Is.EqualTo(new[] { HttpStatusCode.TooManyRequests }), "bob's third request, tunneled");
        Assert.That(await anonymous.GetStringAsync("/per-user"), Is.EqualTo("anonymous"));
        Assert.That(await SendAsync(plain, "/per-user", token: null), Is.EqualTo(HttpStatusCode.OK), "the second anonymous request, over HTTP");
        Assert.That(await StatusesAsync(anonymous, "/per-user", 1), Is.EqualTo(new[] { HttpStatusCode.TooManyRequests }), "the third anonymous request, tunneled");

        // A new connection of alice's lands in her spent partition.
        using var aliceAgain = await host.CreateWsRestHttpClientAsync(o => o.ConfigureWebSocket = ws => ws.SetRequestHeader("Authorization", "Bearer " + TestJwt.AliceToken));
        Assert.That(await StatusesAsync(aliceAgain, "/per-user", 1), Is.EqualTo(new[] { HttpStatusCode.TooManyRequests }), "alice on a new connection");
    }

    private async Task<TestHost> StartAsync()
    {
        var host = await TestHost.StartAsync(
            app =>
            {
                app.UseAuthentication();
                app.UseAuthorization();
                app.UseRateLimiter();
                app.MapGet("/fixed", () => "ok").RequireRateLimiting("fixed");
                app.MapGet("/unlimited", () => "ok");
                app.MapGet("/per-user", (HttpContext context) => PartitionKey(context)).RequireRateLimiting("per-user");
            },
            configureBuilder: builder =>
            {
                builder.Services.AddTestJwtBearer();
                builder.Services.AddAuthorization();
                builder.Services.AddRateLimiter(o =>
                {
                    o.AddFixedWindowLimiter("fixed", w =>
                    {
                        w.PermitLimit = 3;
                        w.Window = TimeSpan.FromMinutes(10);
                        w.QueueLimit = 0;
                    });
                    o.AddPolicy("per-user", context => RateLimitPartition.GetFixedWindowLimiter(PartitionKey(context), _ => new FixedWindowRateLimiterOptions
                    {
                        PermitLimit = 2,
                        Window = TimeSpan.FromMinutes(10),
                        QueueLimit = 0,
                    }));
                    o.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
                });
            });
        _hosts.Add(host);
        return host;
    }

    private static string PartitionKey(HttpContext context) => context.User.Identity?.Name ?? "anonymous";

    private static async Task<HttpStatusCode[]> StatusesAsync(HttpClient client, string path, int count)
    {
        var statuses = new HttpStatusCode[count];
        for (var i = 0; i < count; i++)
        {
            using var response = await client.GetAsync(path);
            statuses[i] = response.StatusCode;
        }

        return statuses;
    }

    private static async Task<HttpStatusCode> SendAsync(HttpClient client, string path, string? token)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        if (token is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        using var response = await client.SendAsync(request);
        return response.StatusCode;
    }
}
