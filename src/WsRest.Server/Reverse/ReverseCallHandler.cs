using System.Net.Http;
using WsRest.Engine;
using WsRest.Http;

namespace WsRest.Server.Reverse;

/// <summary>
/// Sends a server-initiated request into a client connection: finds the connection (fixed, or per
/// request), applies the reverse-call policy, stamps the caller, and sends over the connection's engine.
/// A connection that is gone fails at once with <see cref="HttpRequestException"/>.
/// </summary>
internal sealed class ReverseCallHandler : HttpMessageHandler
{
    /// <summary>The header that tells the client who is calling (docs/reverse.md).</summary>
    public const string CallerHeader = "wsrest-caller";

    private readonly WsRestConnectionRegistry _registry;
    private readonly WsRestServerOptions _options;
    private readonly string? _connectionId;
    private readonly IWsRestReverseCallForwarder? _forwarder;

    public ReverseCallHandler(WsRestConnectionRegistry registry, WsRestServerOptions options, string? connectionId, IWsRestReverseCallForwarder? forwarder = null)
    {
        _registry = registry;
        _options = options;
        _connectionId = connectionId;
        _forwarder = forwarder;
    }

    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var id = _connectionId;
        if (id is null && !request.Options.TryGetValue(WsRestRequestOptions.ConnectionId, out id))
        {
            throw new InvalidOperationException($"Set request.Options[{nameof(WsRestRequestOptions)}.{nameof(WsRestRequestOptions.ConnectionId)}] to say which WsRest connection to call.");
        }

        var caller = request.Options.TryGetValue(WsRestRequestOptions.Caller, out var named) ? named : _options.ServerName;
        if (!_registry.TryGetConnection(id!, out var connection) && _forwarder is not null)
        {
            // Another node may hold it (scale-out): that node authorizes and stamps the caller.
            return _forwarder.SendAsync(id!, caller, request, cancellationToken);
        }

        if (connection is null || !connection.Peer.IsAcceptingStreams)
        {
            return Task.FromException<HttpResponseMessage>(new HttpRequestException(
                HttpRequestError.ConnectionError,
                $"There is no open WsRest connection with id '{id}': the client disconnected or never connected.",
                new RequestNotProcessedException("The connection is gone.")));
        }

        if (_options.AuthorizeReverseCall is { } authorize && !authorize(new WsRestReverseCallContext(connection, request, caller)))
        {
            return Task.FromException<HttpResponseMessage>(new UnauthorizedAccessException(
                $"The reverse-call policy (WsRestServerOptions.AuthorizeReverseCall) does not let '{caller}' call {request.Method} {request.RequestUri} on connection {id}."));
        }

        // Only the server's stamp may reach the client: a copy of the header smuggled in with the
        // request (content headers included, as a relaying endpoint might copy them) is removed.
        request.Headers.Remove(CallerHeader);
        request.Content?.Headers.Remove(CallerHeader);
        request.Headers.TryAddWithoutValidation(CallerHeader, caller);
        return HttpRequestSender.SendAsync(connection.Peer, request, cancellationToken);
    }
}
