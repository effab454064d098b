using Microsoft.AspNetCore.Authentication;
using WsRest.Tunnel;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Authentication for apps served through <c>UseWsRestTunnel</c>.</summary>
public static class WsRestTunnelAuthenticationBuilderExtensions
{
    /// <summary>The scheme name of <see cref="AddWsRestTunnelCaller"/>.</summary>
    public const string SchemeName = "WsRest";

    /// <summary>
    /// Adds the "WsRest" scheme: a tunneled request is authenticated as the caller the server stamped
    /// (<c>wsrest-caller</c>), so authorization policies can require a caller name; challenges give 401
    /// and forbids 403. Make it the default with <c>AddAuthentication("WsRest")</c>.
    /// </summary>
    public static AuthenticationBuilder AddWsRestTunnelCaller(this AuthenticationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.AddScheme<AuthenticationSchemeOptions, WsRestCallerAuthenticationHandler>(SchemeName, displayName: "WsRest tunnel caller", configureOptions: null);
    }
}
