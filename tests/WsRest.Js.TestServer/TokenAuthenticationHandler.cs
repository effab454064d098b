using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

namespace WsRest.Js.TestServer;

/// <summary>
/// Accepts "Bearer good-token" as the user "alice" and fails every other bearer token: what the
/// server runs on a HELLO's auth (docs/protocol.md §13.4), so the tests can check both outcomes.
/// </summary>
internal sealed class TokenAuthenticationHandler(IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "Token";
    public const string GoodToken = "good-token";

    protected override Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var header = Request.Headers.Authorization.ToString();
        if (header.Length == 0)
        {
            return Task.FromResult(AuthenticateResult.NoResult());
        }

        if (header != $"Bearer {GoodToken}")
        {
            return Task.FromResult(AuthenticateResult.Fail("unknown token"));
        }

        var identity = new ClaimsIdentity([new Claim(ClaimTypes.Name, "alice")], SchemeName);
        return Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), SchemeName)));
    }
}
