namespace WsRest.Server;

/// <summary>
/// The WsRest connections of every server node (docs/scale-out.md). On one node it lists that node's
/// connections (<see cref="WsRestConnectionRegistry"/>); a backplane such as <c>WsRest.Redis</c>
/// replaces it to list the whole cluster. Resolve it from DI.
/// </summary>
public interface IWsRestClusterRegistry
{
    /// <summary>The name of this node in the cluster.</summary>
    string NodeId { get; }

    /// <summary>A snapshot of the connections open on every live node.</summary>
    ValueTask<IReadOnlyList<WsRestClusterConnection>> GetConnectionsAsync(CancellationToken cancellationToken = default);

    /// <summary>The connection with id <paramref name="connectionId"/> on any live node; null when there is none.</summary>
    ValueTask<WsRestClusterConnection?> FindAsync(string connectionId, CancellationToken cancellationToken = default);
}

/// <summary>A connection as the cluster registry lists it.</summary>
/// <param name="Id">The connection id.</param>
/// <param name="Node">The node that holds the connection.</param>
/// <param name="Metadata">The metadata the client sent in its HELLO.</param>
/// <param name="User">The authenticated user's name; null for an anonymous connection.</param>
/// <param name="ConnectedAt">When the handshake completed.</param>
public sealed record WsRestClusterConnection(string Id, string Node, IReadOnlyDictionary<string, string> Metadata, string? User, DateTimeOffset ConnectedAt);
