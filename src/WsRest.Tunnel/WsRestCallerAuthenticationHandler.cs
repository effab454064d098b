using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace WsRest.Tunnel;

/// <summary>
/// Authenticates requests that arrived through the tunnel as the caller the server named: the tunnel
/// dispatcher already placed that principal on the request; this scheme reports it, and answers a
/// challenge with 401 and a forbid with 403, so <c>[Authorize]</c> and policies work as over HTTP.
/// </summary>
internal sealed class WsRestCallerAuthenticationHandler(IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    protected override Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var user = Context.User;
        return Task.FromResult(user.Identity is { IsAuthenticated: true, AuthenticationType: "WsRest" }
            ? AuthenticateResult.Success(new AuthenticationTicket(user, Scheme.Name))
            : AuthenticateResult.NoResult());
    }
}
