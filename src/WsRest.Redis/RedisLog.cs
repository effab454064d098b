using Microsoft.Extensions.Logging;

namespace WsRest.Redis;

/// <summary>Log messages of the Redis backplane (category names are the logging types'; ids 300-399).</summary>
internal static partial class RedisLog
{
    [LoggerMessage(300, LogLevel.Warning, "Redis lost the sequence counter of topic '{Topic}' (it holds {Counter}, this node delivered up to {Last}); raising it back. Configure Redis persistence (docs/scale-out.md).")]
    public static partial void CounterLost(ILogger logger, string topic, long counter, long last);

    [LoggerMessage(301, LogLevel.Information, "Could not catch up topic '{Topic}' after a reconnect; retrying on the next reconnect or event.")]
    public static partial void ResyncFailed(ILogger logger, string topic, Exception exception);

    [LoggerMessage(302, LogLevel.Warning, "Could not replay events {From}..{To} of topic '{Topic}' from Redis; subscribers get a gap notice for them.")]
    public static partial void ReplayFailed(ILogger logger, string topic, long from, long to, Exception exception);

    [LoggerMessage(303, LogLevel.Debug, "Could not unsubscribe this node from topic '{Topic}' in Redis.")]
    public static partial void UnsubscribeFailed(ILogger logger, string topic, Exception exception);

    [LoggerMessage(304, LogLevel.Warning, "A message on the Redis channel of topic '{Topic}' is not a WsRest event notification; ignored.")]
    public static partial void MalformedNotification(ILogger logger, string topic, Exception exception);

    [LoggerMessage(305, LogLevel.Warning, "Redis connection failed ({FailureType}, {ConnectionType}) on node {Node}.")]
    public static partial void ConnectionFailed(ILogger logger, string node, string failureType, string connectionType, Exception? exception);

    [LoggerMessage(306, LogLevel.Information, "Redis connection restored ({ConnectionType}) on node {Node}.")]
    public static partial void ConnectionRestored(ILogger logger, string node, string connectionType);

    [LoggerMessage(307, LogLevel.Warning, "Node {Node} could not renew its heartbeat in Redis; the others drop it if this lasts NodeTimeout.")]
    public static partial void HeartbeatFailed(ILogger logger, string node, Exception exception);

    [LoggerMessage(308, LogLevel.Warning, "Could not write connection {ConnectionId} to the cluster registry in Redis; retried at the next heartbeat.")]
    public static partial void RegistryWriteFailed(ILogger logger, string connectionId, Exception exception);

    [LoggerMessage(309, LogLevel.Warning, "Node {Node} could not say goodbye in Redis; the others drop it when its heartbeat expires.")]
    public static partial void GoodbyeFailed(ILogger logger, string node, Exception exception);
}
