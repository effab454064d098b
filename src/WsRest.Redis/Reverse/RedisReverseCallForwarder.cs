using WsRest.Redis.Connections;
using WsRest.Server;

namespace WsRest.Redis.Reverse;

/// <summary>
/// Sends a reverse call for a connection another node holds: finds the owner in the cluster registry
/// (unknown → fails at once) and runs the call through the <see cref="CallRouter"/>.
/// </summary>
internal sealed class RedisReverseCallForwarder(IWsRestClusterRegistry cluster, CallRouter router) : IWsRestReverseCallForwarder
{
    public async Task<HttpResponseMessage> SendAsync(string connectionId, string caller, HttpRequestMessage request, CancellationToken cancellationToken)
    {
        WsRestClusterConnection? owner;
        try
        {
            owner = await cluster.FindAsync(connectionId, cancellationToken).ConfigureAwait(false);
        }
        catch (WsRestBackplaneException ex)
        {
            throw new HttpRequestException(HttpRequestError.ConnectionError, $"Connection '{connectionId}' is not on this node, and the cluster registry cannot be read: {ex.Message}", ex);
        }

        if (owner is null || owner.Node == router.NodeId)
        {
            throw new HttpRequestException(HttpRequestError.ConnectionError, $"There is no open WsRest connection with id '{connectionId}' on any node: the client disconnected or never connected.");
        }

        var call = new CallerCall(router, owner.Node);
        router.Add(call);
        try
        {
            return await call.SendAsync(request, RequestHead.From(request, router.NodeId, connectionId, caller), cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            call.Fail(ex);
            throw;
        }
    }
}
