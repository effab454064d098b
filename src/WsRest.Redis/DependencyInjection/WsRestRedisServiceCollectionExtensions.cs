using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using StackExchange.Redis;
using WsRest.Redis;
using WsRest.Redis.Connections;
using WsRest.Redis.PubSub;
using WsRest.Redis.Registry;
using WsRest.Redis.Reverse;
using WsRest.Server;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Joins WsRest server nodes through Redis (docs/scale-out.md).</summary>
public static class WsRestRedisServiceCollectionExtensions
{
    /// <summary>
    /// Makes this WsRest server one node of a cluster joined through Redis: pub/sub spans every node
    /// (Redis assigns the sequence numbers), <see cref="IWsRestClusterRegistry"/> lists the
    /// connections of every node, and reverse calls (<c>CreateHttpClient(connectionId)</c>,
    /// <c>AddWsRestReverseTransport()</c>) reach a connection on any node. Call it with
    /// <c>AddWsRest()</c>, in either order.
    /// </summary>
    /// <param name="services">The services of the app.</param>
    /// <param name="connectionString">A StackExchange.Redis configuration string, e.g. <c>localhost:6379</c>. The node connects at start and keeps reconnecting while Redis is down (<c>abortConnect</c> is always false), and a command fails at once while Redis is unreachable.</param>
    /// <param name="configure">Adjusts <see cref="WsRestRedisOptions"/>.</param>
    /// <exception cref="ArgumentException"><paramref name="connectionString"/> is empty or not a valid configuration string.</exception>
    public static IServiceCollection AddRedis(this IServiceCollection services, string? connectionString, Action<WsRestRedisOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        if (string.IsNullOrWhiteSpace(connectionString))
        {
            throw new ArgumentException("AddRedis needs a Redis connection string (e.g. \"localhost:6379\"); none was given: is the connection string configured?", nameof(connectionString));
        }

        var configuration = ConfigurationOptions.Parse(connectionString);

        // A node must start while Redis is down and fail publishes at once instead of queueing them
        // (a queued publish would complete long after the caller gave up, docs/scale-out.md).
        configuration.AbortOnConnectFail = false;
        configuration.BacklogPolicy = BacklogPolicy.FailFast;
        return AddCore(services, new RedisConnectionSource(configuration, null), configure);
    }

    /// <summary>
    /// Like <see cref="AddRedis(IServiceCollection, string?, Action{WsRestRedisOptions}?)"/> with a
    /// multiplexer the app made and owns (it is not disposed with the app). Its settings are used as
    /// they are: prefer <c>AbortOnConnectFail = false</c> and <see cref="BacklogPolicy.FailFast"/>.
    /// </summary>
    public static IServiceCollection AddRedis(this IServiceCollection services, IConnectionMultiplexer multiplexer, Action<WsRestRedisOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(multiplexer);
        return AddCore(services, new RedisConnectionSource(null, multiplexer), configure);
    }

    private static IServiceCollection AddCore(IServiceCollection services, RedisConnectionSource source, Action<WsRestRedisOptions>? configure)
    {
        var options = services.AddOptions<WsRestRedisOptions>();
        if (configure is not null)
        {
            options.Configure(configure);
        }

        options.Validate(o => !string.IsNullOrEmpty(o.KeyPrefix) && o.KeyPrefix.IndexOfAny(['{', '}']) < 0, "WsRestRedisOptions.KeyPrefix must be non-empty and contain no braces (they are Redis Cluster hash tags).")
            .Validate(o => o.NodeId is null || (o.NodeId.Length is > 0 and <= 200 && !o.NodeId.Contains(':', StringComparison.Ordinal)), "WsRestRedisOptions.NodeId must be 1 to 200 characters without ':' when set.")
            .Validate(o => o.ReplayLength >= 1, "WsRestRedisOptions.ReplayLength must be at least 1.")
            .Validate(o => o.HeartbeatInterval > TimeSpan.Zero && o.NodeTimeout >= 2 * o.HeartbeatInterval, "WsRestRedisOptions.HeartbeatInterval must be positive and NodeTimeout at least twice as long.")
            .Validate(o => o.ReverseCallChunkSize is >= 1024 and <= 1024 * 1024, "WsRestRedisOptions.ReverseCallChunkSize must be between 1 KiB and 1 MiB.")
            .Validate(o => o.ReverseCallWindow is >= 1 and <= 1024, "WsRestRedisOptions.ReverseCallWindow must be between 1 and 1024.")
            .ValidateOnStart();

        services.RemoveAll<RedisConnectionSource>();
        services.AddSingleton(source);
        services.TryAddSingleton<RedisBackplane>();
        services.TryAddSingleton<RedisEventBus>();
        services.RemoveAll<IWsRestEventBus>();
        services.AddSingleton<IWsRestEventBus>(sp => sp.GetRequiredService<RedisEventBus>());
        services.TryAddSingleton<ClusterMembership>();
        services.TryAddSingleton<CallRouter>();
        services.RemoveAll<IWsRestReverseCallForwarder>();
        services.AddSingleton<IWsRestReverseCallForwarder, RedisReverseCallForwarder>();
        services.RemoveAll<IWsRestClusterRegistry>();
        services.AddSingleton<IWsRestClusterRegistry, RedisClusterRegistry>();

        // Connected first (the membership's heartbeat and the followers need the multiplexer), then the heartbeat.
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, RedisNodeService>());
        if (!services.Any(d => d.ServiceType == typeof(IHostedService) && d.ImplementationFactory?.Method.DeclaringType == typeof(WsRestRedisServiceCollectionExtensions)))
        {
            services.AddSingleton<IHostedService>(StartMembership);
        }
        return services;
    }

    private static ClusterMembership StartMembership(IServiceProvider services) => services.GetRequiredService<ClusterMembership>();
}
