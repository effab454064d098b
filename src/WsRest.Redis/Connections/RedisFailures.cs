using StackExchange.Redis;

namespace WsRest.Redis.Connections;

/// <summary>Which exceptions mean "Redis did not answer or refused", as opposed to a bug.</summary>
internal static class RedisFailures
{
    public static bool IsRedisFailure(Exception ex) => ex is RedisException or RedisTimeoutException or ObjectDisposedException;

    /// <summary>Wraps a Redis failure with what was attempted; a timeout may still have happened, the other failures did not reach Redis or were refused.</summary>
    public static WsRestBackplaneException Wrap(string attempted, Exception ex) => ex is RedisTimeoutException
        ? new WsRestBackplaneException($"Redis did not answer in time while {attempted}; it may or may not have happened. {ex.Message}", ex)
        : new WsRestBackplaneException($"Redis is unreachable or refused while {attempted}; it did not happen. {ex.Message}", ex);
}
