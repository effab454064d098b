using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace WsRest.Server.Json;

/// <summary>
/// HELLO's <c>auth</c> (docs/protocol.md §13.4): a browser cannot set an Authorization header on a
/// WebSocket upgrade, so a <c>wsrest.v1.json</c> client may send its bearer token in HELLO instead. The
/// server authenticates it through the application's own authentication, exactly as if it had been the
/// upgrade's Authorization header, and the connection's user (and with it every tunneled request's
/// user) becomes the authenticated principal. Any failure rejects the handshake; a credential is never
/// ignored.
/// </summary>
internal static class HelloCredentialAuthenticator
{
    public static async Task AuthenticateAsync(HttpContext context, string credential)
    {
        if (context.RequestServices.GetService<IAuthenticationService>() is null
            || context.RequestServices.GetService<IAuthenticationSchemeProvider>() is not { } schemes
            || await schemes.GetDefaultAuthenticateSchemeAsync().ConfigureAwait(false) is null)
        {
            throw Failed("this server has no authentication scheme to check HELLO's 'auth' with");
        }

        // The upgrade request already went through the authentication middleware, and handlers cache
        // their result per request (and per scope): the credential is checked on a copy of the upgrade
        // request with it as the Authorization header, in a scope of its own. The upgrade's own headers
        // are left untouched, so nothing else ever sees the credential.
        await using var scope = context.RequestServices.GetRequiredService<IServiceScopeFactory>().CreateAsyncScope();
        var probe = CopyRequest(context, scope.ServiceProvider, credential);
        AuthenticateResult result;
        try
        {
            result = await scope.ServiceProvider.GetRequiredService<IAuthenticationService>().AuthenticateAsync(probe, scheme: null).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // A handler that throws instead of failing still rejects the handshake with the §13.4 answer;
            // its message is not echoed to the client (it may quote the credential).
            throw Failed($"the authentication scheme threw {ex.GetType().Name}");
        }
        if (!result.Succeeded)
        {
            throw Failed(result.Failure?.Message ?? "the credential was not accepted");
        }

        // The endpoint's own authorization (MapWsRest(...).RequireAuthorization(...)) applies to the new
        // identity as it would have to the upgrade's.
        if (context.GetEndpoint() is { } endpoint
            && context.RequestServices.GetService<IAuthorizationPolicyProvider>() is { } policies
            && await AuthorizationPolicy.CombineAsync(policies, endpoint.Metadata.GetOrderedMetadata<IAuthorizeData>(), endpoint.Metadata.GetOrderedMetadata<AuthorizationPolicy>()).ConfigureAwait(false) is { } policy
            && context.RequestServices.GetService<IAuthorizationService>() is { } authorization
            && !(await authorization.AuthorizeAsync(result.Principal, probe, policy).ConfigureAwait(false)).Succeeded)
        {
            throw Failed("the authenticated user may not use this endpoint");
        }

        context.User = result.Principal;
        context.Features.Set<IAuthenticateResultFeature>(new HelloAuthenticateResultFeature { AuthenticateResult = result });
    }

    private static DefaultHttpContext CopyRequest(HttpContext context, IServiceProvider services, string credential)
    {
        var probe = new DefaultHttpContext { RequestServices = services };
        var source = context.Request;
        var request = probe.Request;
        request.Method = source.Method;
        request.Scheme = source.Scheme;
        request.Host = source.Host;
        request.PathBase = source.PathBase;
        request.Path = source.Path;
        request.QueryString = source.QueryString;
        foreach (var (name, values) in source.Headers)
        {
            request.Headers[name] = values;
        }

        request.Headers.Authorization = credential;
        probe.Connection.RemoteIpAddress = context.Connection.RemoteIpAddress;
        probe.Connection.RemotePort = context.Connection.RemotePort;
        probe.Connection.LocalIpAddress = context.Connection.LocalIpAddress;
        probe.Connection.LocalPort = context.Connection.LocalPort;
        probe.SetEndpoint(context.GetEndpoint());
        return probe;
    }

    /// <summary>The rejection of §13.4: ProtocolError "authentication failed", closed with 1008 (the inner exception marks it).</summary>
    private static WsRestProtocolException Failed(string detail)
        => new(WsRestErrorCode.ProtocolError, $"authentication failed: {detail}", new UnauthorizedAccessException(detail));

    /// <summary>Lets the credential-expiry timer see the HELLO credential's expiry as it sees the upgrade's.</summary>
    private sealed class HelloAuthenticateResultFeature : IAuthenticateResultFeature
    {
        public AuthenticateResult? AuthenticateResult { get; set; }
    }
}
