using System.Net.WebSockets;
using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using WsRest.Tests.Infrastructure;

namespace WsRest.Tests.Json;

/// <summary>
/// HELLO's <c>auth</c> (docs/protocol.md §13.4): a browser's bearer token, checked by the application's
/// own authentication as if it were the upgrade's Authorization header.
/// </summary>
public class JsonHelloAuthenticationTests
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
            },
            configureBuilder: builder =>
            {
                builder.Services.AddAuthentication("Bearer").AddScheme<AuthenticationSchemeOptions, TokenHandler>("Bearer", null);
                builder.Services.AddAuthorization();
            });
    }

    [OneTimeTearDown]
    public async Task StopAsync() => await _host.DisposeAsync();

    [Test]
    public async Task AnAcceptedCredentialIsTheUserOfEveryTunneledRequest()
    {
        await using var socket = await JsonSocket.OpenAsync(_host.WsRestEndpoint);
        var welcome = await socket.HandshakeAsync("""{"t":"hello","v":1,"auth":"Bearer token-for-alice"}""");
        await socket.SendAsync("""{"uid":1,"m":"GET","r":"/me"}""");
        var response = await socket.NextAsync(f => f.ContainsKey("c"));
        JsonAssert.Contains("""{"uid":1,"c":200}""", response);
        var body = response["d"] is { } d ? (string?)d : (string?)(await socket.NextAsync(f => (string?)f["t"] == "data" && f.ContainsKey("d")))["d"];
        Assert.That(body, Is.EqualTo("alice"));

        var connection = _host.Registry.Connections.Single(c => c.Id == (string?)welcome["id"]);
        Assert.That(connection.User.Identity?.Name, Is.EqualTo("alice"));
        Assert.That(connection.Metadata, Is.Empty, "the credential is not metadata");
    }

    [Test]
    public async Task ARejectedCredentialFailsTheHandshakeWithPolicyViolation()
    {
        await using var socket = await JsonSocket.OpenAsync(_host.WsRestEndpoint);
        await socket.SendAsync("""{"t":"hello","v":1,"auth":"Bearer forged-secret"}""");
        var (status, frames) = await socket.ReceiveUntilCloseAsync();
        var error = frames.Single();
        JsonAssert.Contains("""{"t":"error","code":1}""", error);
        Assert.That((string?)error["reason"], Does.StartWith("authentication failed"));
        Assert.That(error.ToJsonString(), Does.Not.Contain("forged-secret"));
        Assert.That(status, Is.EqualTo(WebSocketCloseStatus.PolicyViolation));
    }

    [Test]
    public async Task WithoutACredentialTheConnectionIsAnonymous()
    {
        await using var socket = await JsonSocket.OpenAsync(_host.WsRestEndpoint);
        await socket.HandshakeAsync();
        await socket.SendAsync("""{"uid":1,"m":"GET","r":"/me"}""");
        JsonAssert.Contains("""{"uid":1,"c":401}""", await socket.NextAsync(f => f.ContainsKey("c")));
    }

    /// <summary>Accepts "Bearer token-for-NAME".</summary>
    private sealed class TokenHandler(IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder)
        : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
    {
        protected override Task<AuthenticateResult> HandleAuthenticateAsync()
        {
            var header = Request.Headers.Authorization.ToString();
            if (header.Length == 0)
            {
                return Task.FromResult(AuthenticateResult.NoResult());
            }

            const string Prefix = "Bearer token-for-";
            if (!header.StartsWith(Prefix, StringComparison.Ordinal))
            {
                return Task.FromResult(AuthenticateResult.Fail("invalid token"));
            }

            var identity = new ClaimsIdentity([new Claim(ClaimTypes.Name, header[Prefix.Length..])], Scheme.Name);
            return Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), Scheme.Name)));
        }
    }
}
