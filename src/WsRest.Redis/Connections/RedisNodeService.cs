using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;
using WsRest.Redis.PubSub;

namespace WsRest.Redis.Connections;

/// <summary>Connects the node to Redis at start and turns Redis reconnects into catch-up for the node's subscribers and its registry entries.</summary>
internal sealed class RedisNodeService(RedisBackplane backplane, RedisEventBus bus, Registry.ClusterMembership membership, Reverse.CallRouter router, ILogger<RedisNodeService> logger) : IHostedService
{
    private IConnectionMultiplexer? _redis;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        _redis = await backplane.GetAsync().WaitAsync(cancellationToken).ConfigureAwait(false);
        _redis.ConnectionFailed += OnFailed;
        _redis.ConnectionRestored += OnRestored;
        await router.StartAsync().ConfigureAwait(false);
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_redis is { } redis)
        {
            redis.ConnectionFailed -= OnFailed;
            redis.ConnectionRestored -= OnRestored;
        }

        await router.StopAsync().ConfigureAwait(false);
    }

    private void OnFailed(object? sender, ConnectionFailedEventArgs e)
        => RedisLog.ConnectionFailed(logger, backplane.NodeId, e.FailureType.ToString(), e.ConnectionType.ToString(), e.Exception);

    private void OnRestored(object? sender, ConnectionFailedEventArgs e)
    {
        RedisLog.ConnectionRestored(logger, backplane.NodeId, e.ConnectionType.ToString());

        // Notifications sent while this node's subscription connection was down are gone; the streams are not.
        bus.OnReconnected();

        // Redis may have restarted without this node's registry entries.
        membership.RequestReconcile();
    }
}
