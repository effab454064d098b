using System.Net;
using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using WsRest.Tests.Infrastructure;

namespace WsRest.Tests.Transport;

/// <summary>The principal authenticated on the WebSocket upgrade is HttpContext.User of every tunneled request.</summary>
public class AuthenticationTests
{
    private TestHost _host = null!;

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        _host = await TestHost.StartAsync(
            app =>
            {
                app.UseAuthentication();
                app.UseAuthorization();
                app.MapGet("/me", (HttpContext context) => context.User.Identity?.Name ?? "anonymous").RequireAuthorization();
                app.MapGet("/public", (HttpContext context) => context.User.Identity?.Name ?? "anonymous");
            },
            configureBuilder: builder =>
            {
                builder.Services.AddAuthentication("Test").AddScheme<AuthenticationSchemeOptions, HeaderAuthenticationHandler>("Test", null);
                builder.Services.AddAuthorization();
            },
            configureEndpoint: endpoint => endpoint.RequireAuthorization());
    }

    [OneTimeTearDown]
    public async Task StopAsync() => await _host.DisposeAsync();

    [Test]
    public async Task UpgradeUserIsTheUserOfEveryTunneledRequest()
    {
        using var http = await _host.CreateWsRestHttpClientAsync(o => o.ConfigureWebSocket = ws => ws.SetRequestHeader("X-Test-User", "alice"));

        // No credentials on the tunneled requests themselves: the upgrade's principal applies.
        Assert.That(await http.GetStringAsync("/me"), Is.EqualTo("alice"));
        Assert.That(await http.GetStringAsync("/public"), Is.EqualTo("alice"));
        var connection = _host.Registry.Connections.Single(c => c.User.Identity?.Name == "alice");
        Assert.That(connection.User.Identity!.IsAuthenticated, Is.True);
    }

    [Test]
    public async Task UnauthenticatedUpgradeIsRefused()
    {
        var error = Assert.CatchAsync<HttpRequestException>(() => _host.CreateWsRestHttpClientAsync());

        Assert.That(error!.HttpRequestError, Is.EqualTo(HttpRequestError.ConnectionError));
        Assert.That(error.ToString(), Does.Contain("401"));
        using var plain = _host.CreatePlainHttpClient();
        using var response = await plain.GetAsync("/me");
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized), "the same endpoint over HTTP without credentials");
    }

    private sealed class HeaderAuthenticationHandler(IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder)
        : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
    {
        protected override Task<AuthenticateResult> HandleAuthenticateAsync()
        {
            if (!Request.Headers.TryGetValue("X-Test-User", out var name) || string.IsNullOrEmpty(name))
            {
                return Task.FromResult(AuthenticateResult.NoResult());
            }

            var identity = new ClaimsIdentity([new Claim(ClaimTypes.Name, name!)], Scheme.Name);
            return Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), Scheme.Name)));
        }
    }
}
