using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;

namespace WsRest.Js.TestServer;

/// <summary>
/// Accepts "Bearer good-token" as the user "alice" and fails every other bearer token: what the
/// server runs on a HELLO's auth (docs/protocol.md §13.4), so the tests can check both outcomes.
/// </summary>
/// <remarks>
/// Implemented on <see cref="IAuthenticationHandler"/>, not <c>AuthenticationHandler&lt;T&gt;</c>: that base
/// class caches its result per request, so the server's HELLO authentication would get the result the
/// authentication middleware cached for the upgrade request (no credential) and reject every token.
/// That is a server defect (reported with issue 14), not what this test is about.
/// </remarks>
internal sealed class TokenAuthenticationHandler : IAuthenticationHandler
{
    public const string SchemeName = "Token";
    public const string GoodToken = "good-token";
    private HttpContext _context = null!;

    public Task InitializeAsync(AuthenticationScheme scheme, HttpContext context)
    {
        _context = context;
        return Task.CompletedTask;
    }

    public Task<AuthenticateResult> AuthenticateAsync()
    {
        var header = _context.Request.Headers.Authorization.ToString();
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

    public Task ChallengeAsync(AuthenticationProperties? properties) => Task.CompletedTask;

    public Task ForbidAsync(AuthenticationProperties? properties) => Task.CompletedTask;
}
