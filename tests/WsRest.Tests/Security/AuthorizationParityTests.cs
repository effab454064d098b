using System.Net;
using System.Net.Http.Headers;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using WsRest.Client;
using WsRest.Tests.Infrastructure;

namespace WsRest.Tests.Security;

/// <summary>
/// The same matrix of users x endpoints gives the same status codes over plain HTTP (credentials on
/// every request) and over WsRest (credentials on the WebSocket upgrade only, none on the tunneled requests).
/// </summary>
public class AuthorizationParityTests
{
    private const string CredentialsSeenHeader = "X-Request-Had-Credentials";

    private TestHost _host = null!;

    /// <summary>Where the credentials travel: an Authorization header, or the access_token query parameter.</summary>
    public enum Carrier
    {
        Header,
        QueryString,
    }

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        _host = await TestHost.StartAsync(
            app =>
            {
                // Records, before authentication runs, whether the request itself carried credentials.
                app.Use((context, next) =>
                {
                    var carried = context.Request.Headers.ContainsKey("Authorization") || context.Request.Query.ContainsKey("access_token");
                    context.Response.Headers[CredentialsSeenHeader] = carried ? "true" : "false";
                    return next(context);
                });
                app.UseAuthentication();
                app.UseAuthorization();
                app.MapGet("/public", [AllowAnonymous] (HttpContext context) => Name(context));
                app.MapGet("/any-user", [Authorize] (HttpContext context) => Name(context));
                app.MapGet("/admin", [Authorize(Roles = "admin")] (HttpContext context) => Name(context));
                app.MapGet("/orders", [Authorize(Policy = "ReadOrders")] (HttpContext context) => Name(context));
            },
            configureBuilder: builder =>
            {
                builder.Services.AddTestJwtBearer(acceptsQueryToken: static _ => true);
                builder.Services.AddAuthorizationBuilder()
                    .AddPolicy("ReadOrders", policy => policy.RequireClaim("scope", "orders.read"));
            });

        // No RequireAuthorization on MapWsRest: anonymous upgrades are let in, and their tunneled requests meet [Authorize] like HTTP ones.
    }

    [OneTimeTearDown]
    public async Task StopAsync() => await _host.DisposeAsync();

    /// <summary>Every (carrier, user, endpoint) with the status plain HTTP is expected to give.</summary>
    public static IEnumerable<TestCaseData> Matrix()
    {
        var expected = new (string Path, HttpStatusCode Alice, HttpStatusCode Bob, HttpStatusCode Anonymous)[]
        {
            ("/public", HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.OK),
            ("/any-user", HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.Unauthorized),
            ("/admin", HttpStatusCode.OK, HttpStatusCode.Forbidden, HttpStatusCode.Unauthorized),
            ("/orders", HttpStatusCode.Forbidden, HttpStatusCode.OK, HttpStatusCode.Unauthorized),
        };
        foreach (var carrier in Enum.GetValues<Carrier>())
        {
            foreach (var (path, alice, bob, anonymous) in expected)
            {
                yield return new TestCaseData(carrier, "alice", path, alice);
                yield return new TestCaseData(carrier, "bob", path, bob);
                yield return new TestCaseData(carrier, "anonymous", path, anonymous);
            }
        }
    }

    [TestCaseSource(nameof(Matrix))]
    public async Task SameStatusOverHttpAndWsRest(Carrier carrier, string user, string path, HttpStatusCode expected)
    {
        var token = user switch
        {
            "alice" => TestJwt.AliceToken,
            "bob" => TestJwt.BobToken,
            _ => null,
        };

        // Plain HTTP: the credentials ride on the request itself.
        using var plain = _host.CreatePlainHttpClient();
        using var httpRequest = new HttpRequestMessage(HttpMethod.Get, token is not null && carrier == Carrier.QueryString ? $"{path}?access_token={token}" : path);
        if (token is not null && carrier == Carrier.Header)
        {
            httpRequest.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        using var overHttp = await plain.SendAsync(httpRequest);

        // WsRest: the credentials ride on the upgrade only; the tunneled request carries none.
        await using var client = new WsRestClient(new WsRestClientOptions
        {
            Endpoint = token is not null && carrier == Carrier.QueryString
                ? new UriBuilder(_host.WsRestEndpoint) { Query = "access_token=" + token }.Uri
                : _host.WsRestEndpoint,
            ConfigureWebSocket = token is not null && carrier == Carrier.Header
                ? ws => ws.SetRequestHeader("Authorization", "Bearer " + token)
                : null,
        });
        using (var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30)))
        {
            await client.ConnectAsync(timeout.Token);
        }

        using var tunneled = new HttpClient(new WebSocketMessageHandler(client)) { BaseAddress = _host.HttpAddress, Timeout = TimeSpan.FromSeconds(60) };
        using var overWsRest = await tunneled.GetAsync(path);

        var httpBody = await overHttp.Content.ReadAsStringAsync();
        var wsRestBody = await overWsRest.Content.ReadAsStringAsync();
        using (Assert.EnterMultipleScope())
        {
            Assert.That(overHttp.StatusCode, Is.EqualTo(expected), "over HTTP");
            Assert.That(overWsRest.StatusCode, Is.EqualTo(overHttp.StatusCode), "over WsRest, the same as over HTTP");
            Assert.That(wsRestBody, Is.EqualTo(httpBody), "the same body");
            if (expected == HttpStatusCode.OK)
            {
                Assert.That(wsRestBody, Is.EqualTo(user), "the endpoint ran as the upgrade's user");
            }

            Assert.That(overWsRest.Headers.WwwAuthenticate.ToString(), Is.EqualTo(overHttp.Headers.WwwAuthenticate.ToString()), "the same challenge");
            Assert.That(Header(overHttp, CredentialsSeenHeader), Is.EqualTo(token is null ? "false" : "true"), "HTTP requests carry the credentials");
            Assert.That(Header(overWsRest, CredentialsSeenHeader), Is.EqualTo("false"), "tunneled requests carry no credentials");
        }
    }

    private static string Name(HttpContext context) => context.User.Identity?.IsAuthenticated == true ? context.User.Identity.Name! : "anonymous";

    private static string? Header(HttpResponseMessage response, string name)
        => response.Headers.TryGetValues(name, out var values) ? string.Join(",", values) : null;
}
