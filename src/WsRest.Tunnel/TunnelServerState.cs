using System.Security.Claims;
using Microsoft.AspNetCore.Http;
using WsRest.Client;
using WsRest.Engine;
using WsRest.Server.Dispatch;

namespace WsRest.Tunnel;

/// <summary>
/// Links the tunnel's <see cref="WsRestClient"/> to the app pipeline captured when the tunnel server
/// starts: every (re)connection gets a dispatcher into that pipeline.
/// </summary>
internal sealed class TunnelServerState
{
    /// <summary>The claim that carries the id of the connection a tunneled request arrived on.</summary>
    public const string ConnectionIdClaim = "wsrest:connection-id";

    private volatile IApplicationPipeline? _application;

    public void SetApplication(IApplicationPipeline application) => _application = application;

    public IWsRestStreamHandler CreateDispatcher(WsRestClient client)
    {
        var application = _application ?? throw new InvalidOperationException("The WsRest tunnel server has not started.");
        var connectionId = client.ConnectionId ?? string.Empty;
        return new RequestDispatcher(application, new DispatchConnectionContext
        {
            ConnectionId = connectionId,
            Scheme = "http",
            Host = "localhost",
            User = new ClaimsPrincipal(new ClaimsIdentity()),
            ResolveUser = headers => ResolveCaller(headers, connectionId),
            MaxRequestBodySize = 30_000_000,
            AllowHostHeaderOverride = true,
        });
    }

    /// <summary>
    /// The server stamps every call with <c>wsrest-caller</c>. Only the server can send on the socket this
    /// side dialed, so the name is the server's assertion, trusted as far as the server is (docs/reverse.md).
    /// </summary>
    private static ClaimsPrincipal ResolveCaller(IHeaderDictionary headers, string connectionId)
    {
        // Exactly one value, or nobody: two values mean someone besides the server added one.
        var values = headers["wsrest-caller"];
        var caller = values.Count == 1 ? values[0] : null;
        if (string.IsNullOrEmpty(caller))
        {
            return new ClaimsPrincipal(new ClaimsIdentity());
        }

        return new ClaimsPrincipal(new ClaimsIdentity(
            [new Claim(ClaimTypes.Name, caller), new Claim(ConnectionIdClaim, connectionId)],
            authenticationType: "WsRest"));
    }
}
