using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace WsRest.Tests.Security;

/// <summary>
/// A bearer-token scheme for tests: <c>Authorization: Bearer &lt;token&gt;</c> anywhere, and the
/// <c>access_token</c> query parameter where <see cref="TestTokenOptions.AcceptsQueryToken"/> says so
/// (browsers cannot set headers on a WebSocket upgrade). Tokens: alice-token (alice, role admin),
/// bob-token (bob, role user, claim scope=orders.read).
/// </summary>
internal sealed class TestTokenAuthenticationHandler(IOptionsMonitor<TestTokenOptions> options, ILoggerFactory logger, UrlEncoder encoder)
    : AuthenticationHandler<TestTokenOptions>(options, logger, encoder)
{
    public const string SchemeName = "TestToken";

    public const string AliceToken = "alice-token";

    public const string BobToken = "bob-token";

    protected override Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        string? token = null;
        var authorization = Request.Headers.Authorization.ToString();
        if (authorization.StartsWith("Bearer ", StringComparison.Ordinal))
        {
            token = authorization["Bearer ".Length..].Trim();
        }
        else if (Options.AcceptsQueryToken(Request) && Request.Query.TryGetValue("access_token", out var fromQuery))
        {
            token = fromQuery.ToString();
        }

        if (string.IsNullOrEmpty(token))
        {
            return Task.FromResult(AuthenticateResult.NoResult());
        }

        Claim[]? claims = token switch
        {
            AliceToken => [new Claim(ClaimTypes.Name, "alice"), new Claim(ClaimTypes.Role, "admin")],
            BobToken => [new Claim(ClaimTypes.Name, "bob"), new Claim(ClaimTypes.Role, "user"), new Claim("scope", "orders.read")],
            _ => null,
        };
        if (claims is null)
        {
            return Task.FromResult(AuthenticateResult.Fail("Unknown token."));
        }

        var principal = new ClaimsPrincipal(new ClaimsIdentity(claims, Scheme.Name));
        return Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(principal, Scheme.Name)));
    }

    protected override Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        Response.StatusCode = StatusCodes.Status401Unauthorized;
        Response.Headers.WWWAuthenticate = "Bearer realm=\"wsrest-tests\"";
        return Task.CompletedTask;
    }
}

internal sealed class TestTokenOptions : AuthenticationSchemeOptions
{
    /// <summary>Whether a request may carry its token in the query string. Default: never.</summary>
    public Func<HttpRequest, bool> AcceptsQueryToken { get; set; } = static _ => false;
}
