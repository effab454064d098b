using StackExchange.Redis;
using WsRest.Redis.Connections;
using WsRest.Server;

namespace WsRest.Redis.Registry;

/// <summary>
/// The cluster-wide registry (docs/scale-out.md, "Connection registry"): each node writes its own
/// connections to Redis (<see cref="ClusterMembership"/>) and renews a heartbeat key that expires after
/// <see cref="WsRestRedisOptions.NodeTimeout"/>; a reader lists only the nodes whose key still exists,
/// and clears away what a dead node left behind.
/// </summary>
internal sealed class RedisClusterRegistry(RedisBackplane backplane) : IWsRestClusterRegistry
{
    public string NodeId => backplane.NodeId;

    public async ValueTask<IReadOnlyList<WsRestClusterConnection>> GetConnectionsAsync(CancellationToken cancellationToken = default)
    {
        try
        {
            var db = await backplane.GetDatabaseAsync().ConfigureAwait(false);
            var keys = backplane.Keys;
            var nodes = (await db.SetMembersAsync(keys.Nodes).WaitAsync(cancellationToken).ConfigureAwait(false)).Select(n => (string)n!).ToArray();
            var alive = await Task.WhenAll(nodes.Select(n => db.KeyExistsAsync(keys.Node(n)))).WaitAsync(cancellationToken).ConfigureAwait(false);
            var result = new List<WsRestClusterConnection>();
            for (var i = 0; i < nodes.Length; i++)
            {
                if (!alive[i])
                {
                    await ForgetNodeAsync(db, nodes[i]).ConfigureAwait(false);
                    continue;
                }

                var ids = (await db.SetMembersAsync(keys.NodeConnections(nodes[i])).WaitAsync(cancellationToken).ConfigureAwait(false)).Select(v => (string)v!).ToArray();
                var hashes = await Task.WhenAll(ids.Select(id => db.HashGetAllAsync(keys.Connection(id)))).WaitAsync(cancellationToken).ConfigureAwait(false);
                for (var j = 0; j < ids.Length; j++)
                {
                    // The hash names its node: a connection id listed under a node it has since left is skipped.
                    if (ConnectionRecord.FromHash(ids[j], hashes[j]) is { } connection && connection.Node == nodes[i])
                    {
                        result.Add(connection);
                    }
                }
            }

            return result;
        }
        catch (Exception ex) when (RedisFailures.IsRedisFailure(ex))
        {
            throw RedisFailures.Wrap("listing the cluster's connections", ex);
        }
    }

    public async ValueTask<WsRestClusterConnection?> FindAsync(string connectionId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(connectionId);
        try
        {
            var db = await backplane.GetDatabaseAsync().ConfigureAwait(false);
            var connection = ConnectionRecord.FromHash(connectionId, await db.HashGetAllAsync(backplane.Keys.Connection(connectionId)).WaitAsync(cancellationToken).ConfigureAwait(false));
            if (connection is null)
            {
                return null;
            }

            return await db.KeyExistsAsync(backplane.Keys.Node(connection.Node)).WaitAsync(cancellationToken).ConfigureAwait(false) ? connection : null;
        }
        catch (Exception ex) when (RedisFailures.IsRedisFailure(ex))
        {
            throw RedisFailures.Wrap($"looking up connection {connectionId}", ex);
        }
    }

    /// <summary>Removes a node whose heartbeat expired and the connections it listed (it cannot say goodbye itself).</summary>
    private async Task ForgetNodeAsync(IDatabase db, string node)
    {
        var keys = backplane.Keys;
        var ids = await db.SetMembersAsync(keys.NodeConnections(node)).ConfigureAwait(false);
        foreach (var id in ids)
        {
            // Ids are never reused, but a hash is deleted only while it names the dead node, so this stays exact.
            await db.ScriptEvaluateAsync(RegistryScripts.DeleteIfOwned, [keys.Connection((string)id!)], [node]).ConfigureAwait(false);
        }

        await db.KeyDeleteAsync(keys.NodeConnections(node)).ConfigureAwait(false);
        await db.SetRemoveAsync(keys.Nodes, node).ConfigureAwait(false);
    }
}
