namespace WsRest.Redis.Tests.Infrastructure;

/// <summary>A Redis server and three nodes A, B and C joined through it; one key prefix per test, so nothing leaks between tests.</summary>
public sealed class Cluster : IAsyncDisposable
{
    public static readonly TimeSpan Generous = TimeSpan.FromSeconds(30);

    private Cluster(RedisServer redis, IReadOnlyList<ClusterNode> nodes)
    {
        Redis = redis;
        Nodes = nodes;
    }

    public RedisServer Redis { get; }

    public IReadOnlyList<ClusterNode> Nodes { get; }

    public ClusterNode A => Nodes[0];

    public ClusterNode B => Nodes[1];

    public ClusterNode C => Nodes[2];

    public static async Task<Cluster> StartAsync(Action<WsRestRedisOptions>? configureRedis = null, Action<Server.WsRestServerOptions>? configureWsRest = null, Action<Microsoft.AspNetCore.Builder.WebApplication>? map = null)
    {
        var redis = await RedisServer.StartAsync();
        var prefix = $"t{Guid.NewGuid():N}";
        var nodes = new List<ClusterNode>();
        try
        {
            foreach (var name in new[] { "A", "B", "C" })
            {
                nodes.Add(await ClusterNode.StartAsync(name, redis.ConnectionString, prefix, configureRedis, configureWsRest, map));
            }
        }
        catch
        {
            await new Cluster(redis, nodes).DisposeAsync();
            throw;
        }

        return new Cluster(redis, nodes);
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            foreach (var node in Nodes)
            {
                await node.DisposeAsync();
            }
        }
        finally
        {
            // Even when a node fails to stop (the test reports that), no redis-server is left running.
            await Redis.DisposeAsync();
        }
    }
}
