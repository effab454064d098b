using Microsoft.Extensions.Options;

namespace WsRest.Server.Cluster;

/// <summary>The one-node cluster registry: this node's connections, named by <see cref="WsRestServerOptions.ServerName"/>.</summary>
internal sealed class LocalClusterRegistry(WsRestConnectionRegistry registry, IOptions<WsRestServerOptions> options) : IWsRestClusterRegistry
{
    public string NodeId => options.Value.ServerName;

    public ValueTask<IReadOnlyList<WsRestClusterConnection>> GetConnectionsAsync(CancellationToken cancellationToken = default)
        => ValueTask.FromResult<IReadOnlyList<WsRestClusterConnection>>([.. registry.Connections.Select(ToCluster)]);

    public ValueTask<WsRestClusterConnection?> FindAsync(string connectionId, CancellationToken cancellationToken = default)
        => ValueTask.FromResult(registry.TryGetConnection(connectionId, out var connection) ? ToCluster(connection) : null);

    private WsRestClusterConnection ToCluster(WsRestConnection connection)
        => new(connection.Id, NodeId, connection.Metadata, connection.User.Identity?.Name, connection.ConnectedAt);
}
