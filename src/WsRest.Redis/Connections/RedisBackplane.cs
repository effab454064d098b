using System.Security.Cryptography;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace WsRest.Redis.Connections;

/// <summary>
/// The node's one <see cref="IConnectionMultiplexer"/> (owned when made from a connection string) and
/// its identity in the cluster. The connection is made by the hosted <see cref="RedisNodeService"/> at
/// start; a node whose Redis is down still starts, and the multiplexer keeps reconnecting.
/// </summary>
internal sealed class RedisBackplane : IAsyncDisposable
{
    private readonly Func<Task<IConnectionMultiplexer>> _connect;
    private readonly bool _owned;
    private readonly Lock _lock = new();
    private Task<IConnectionMultiplexer>? _connection;

    public RedisBackplane(IOptions<WsRestRedisOptions> options, RedisConnectionSource source)
    {
        var value = options.Value;
        Options = value;
        NodeId = value.NodeId ?? $"{Environment.MachineName}-{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4))}";
        Keys = new RedisKeys(value.KeyPrefix);
        _owned = source.Multiplexer is null;
        _connect = source.Multiplexer is { } existing
            ? () => Task.FromResult(existing)
            : async () => await ConnectionMultiplexer.ConnectAsync(source.Configuration!).ConfigureAwait(false);
    }

    public WsRestRedisOptions Options { get; }

    public string NodeId { get; }

    public RedisKeys Keys { get; }

    /// <summary>The multiplexer; the first call connects (the hosted service makes that call at start).</summary>
    public Task<IConnectionMultiplexer> GetAsync()
    {
        lock (_lock)
        {
            return _connection ??= _connect();
        }
    }

    public async Task<IDatabase> GetDatabaseAsync() => (await GetAsync().ConfigureAwait(false)).GetDatabase();

    public async ValueTask DisposeAsync()
    {
        Task<IConnectionMultiplexer>? connection;
        lock (_lock)
        {
            connection = _connection;
        }

        if (_owned && connection is { IsCompletedSuccessfully: true })
        {
            await connection.Result.DisposeAsync().ConfigureAwait(false);
        }
    }
}

/// <summary>Where the multiplexer comes from: a parsed configuration, or one the app made.</summary>
internal sealed record RedisConnectionSource(ConfigurationOptions? Configuration, IConnectionMultiplexer? Multiplexer);
