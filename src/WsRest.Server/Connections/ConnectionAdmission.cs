using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using WsRest.Server.Hosting;

namespace WsRest.Server.Connections;

/// <summary>
/// Decides whether an HTTP request to the WsRest endpoint may become a connection: a WebSocket upgrade
/// for <c>wsrest.v1</c>, from an allowed origin, while the server runs and is wired to the app, within
/// <see cref="WsRestServerOptions.MaxConnections"/> and <see cref="WsRestServerOptions.MaxConnectionsPerUser"/>.
/// A refused request gets its status and a plain-text reason; an admitted one counts against the
/// limits from now on, before its handshake, until the connection is over.
/// </summary>
internal sealed class ConnectionAdmission
{
    private readonly WsRestServerOptions _options;
    private readonly WsRestConnectionRegistry _registry;
    private readonly ApplicationPipelineHolder _holder;
    private readonly ConnectionCounter _counter = new();
    private readonly ILogger _logger;

    public ConnectionAdmission(IOptions<WsRestServerOptions> options, WsRestConnectionRegistry registry, ApplicationPipelineHolder holder, ILoggerFactory loggerFactory)
    {
        _options = options.Value;
        _registry = registry;
        _holder = holder;
        _logger = loggerFactory.CreateLogger("WsRest.Server");
    }

    /// <summary>Admits the upgrade (dispose the result when the connection is over), or writes the refusal and returns null.</summary>
    public async Task<AdmittedUpgrade?> AdmitAsync(HttpContext context)
    {
        if (!context.WebSockets.IsWebSocketRequest)
        {
            await RejectAsync(context, StatusCodes.Status400BadRequest, "This is a WsRest endpoint: connect with a WebSocket upgrade and the 'wsrest.v1' subprotocol.").ConfigureAwait(false);
            return null;
        }

        if (Json.SubProtocolSelector.Select(context.WebSockets.WebSocketRequestedProtocols, _options.EnableJsonSubProtocol) is not { } subProtocol)
        {
            var accepted = _options.EnableJsonSubProtocol ? $"'{WsRestProtocol.SubProtocol}' or '{WsRestProtocol.JsonSubProtocol}'" : $"'{WsRestProtocol.SubProtocol}'";
            await RejectAsync(context, StatusCodes.Status400BadRequest, $"The WebSocket upgrade must request the {accepted} subprotocol.").ConfigureAwait(false);
            return null;
        }

        if (context.Request.Headers.Origin is { Count: > 0 } origin && !IsOriginAllowed(origin.ToString(), context.Request))
        {
            // Cross-site WebSocket hijacking: a page on another site must not ride the user's cookies.
            await RejectAsync(context, StatusCodes.Status403Forbidden, $"The origin '{origin}' may not open a WsRest connection (WsRestServerOptions.AllowedOrigins).").ConfigureAwait(false);
            return null;
        }

        if (_registry.IsShuttingDown)
        {
            // A client reconnecting after our GOAWAY must not land on this server again while it stops.
            context.Response.Headers.RetryAfter = "1";
            await RejectAsync(context, StatusCodes.Status503ServiceUnavailable, "The server is shutting down.").ConfigureAwait(false);
            return null;
        }

        if (_holder.Application is not { } application)
        {
            Log.PipelineNotCaptured(_logger);
            await RejectAsync(context, StatusCodes.Status500InternalServerError, "WsRest is not wired to the application pipeline; see the server log.").ConfigureAwait(false);
            return null;
        }

        var user = context.User.Identity is { IsAuthenticated: true, Name: { } name } ? name : null;
        switch (_counter.TryAcquire(user, _options.MaxConnections, _options.MaxConnectionsPerUser))
        {
            case ConnectionCounter.Result.ServerFull:
                context.Response.Headers.RetryAfter = "5";
                await RejectAsync(context, StatusCodes.Status503ServiceUnavailable, $"The server holds its maximum of {_options.MaxConnections} WsRest connections.").ConfigureAwait(false);
                return null;
            case ConnectionCounter.Result.UserFull:
                await RejectAsync(context, StatusCodes.Status429TooManyRequests, $"This user already holds the maximum of {_options.MaxConnectionsPerUser} WsRest connections.").ConfigureAwait(false);
                return null;
            default:
                return new AdmittedUpgrade(application, subProtocol, _counter, user);
        }
    }

    private bool IsOriginAllowed(string origin, HttpRequest request)
    {
        if (_options.AllowedOrigins.Count > 0)
        {
            return _options.AllowedOrigins.Any(allowed => allowed == "*" || string.Equals(allowed.TrimEnd('/'), origin.TrimEnd('/'), StringComparison.OrdinalIgnoreCase));
        }

        // Default: same origin only (scheme, host and port of this request).
        return Uri.TryCreate(origin, UriKind.Absolute, out var uri)
            && string.Equals(uri.Scheme, request.Scheme, StringComparison.OrdinalIgnoreCase)
            && string.Equals(uri.Authority, request.Host.Value, StringComparison.OrdinalIgnoreCase);
    }

    private async Task RejectAsync(HttpContext context, int status, string reason)
    {
        Log.UpgradeRejected(_logger, reason);
        context.Response.StatusCode = status;
        context.Response.ContentType = "text/plain; charset=utf-8";
        await context.Response.WriteAsync(reason, context.RequestAborted).ConfigureAwait(false);
    }
}
