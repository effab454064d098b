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

/// <summary>A connection as the cluster registry lists it: a snapshot, whichever node holds it.</summary>
public sealed class WsRestClusterConnection
{
    /// <summary>Creates a snapshot of a connection.</summary>
    /// <param name="id">The connection id.</param>
    /// <param name="node">The node that holds the connection.</param>
    /// <param name="metadata">The metadata the client sent in its HELLO.</param>
    /// <param name="user">The authenticated user's name; null for an anonymous connection.</param>
    /// <param name="connectedAt">When the handshake completed.</param>
    public WsRestClusterConnection(string id, string node, IReadOnlyDictionary<string, string> metadata, string? user, DateTimeOffset connectedAt)
    {
        Id = id;
        Node = node;
        Metadata = metadata;
        User = user;
        ConnectedAt = connectedAt;
    }

    /// <summary>The connection id.</summary>
    public string Id { get; }

    /// <summary>The node that holds the connection.</summary>
    public string Node { get; }

    /// <summary>The metadata the client sent in its HELLO.</summary>
    public IReadOnlyDictionary<string, string> Metadata { get; }

    /// <summary>The authenticated user's name; null for an anonymous connection.</summary>
    public string? User { get; }

    /// <summary>When the handshake completed.</summary>
    public DateTimeOffset ConnectedAt { get; }
}
