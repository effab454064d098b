using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;
using WsRest.Redis.Connections;
using WsRest.Server;

namespace WsRest.Redis.Registry;

/// <summary>
/// This node's part of the cluster registry: a heartbeat key renewed every
/// <see cref="WsRestRedisOptions.HeartbeatInterval"/> (it expires after <see cref="WsRestRedisOptions.NodeTimeout"/>),
/// each local connection written on connect and removed on close, and a full reconcile at start, after a
/// Redis reconnect and every <see cref="ReconcileEvery"/> heartbeats (the local event stream drops its
/// oldest events when a reader lags, and Redis may have lost data). On a graceful stop it says goodbye.
/// </summary>
internal sealed class ClusterMembership(RedisBackplane backplane, WsRestConnectionRegistry registry, ILogger<ClusterMembership> logger) : IHostedService, IDisposable
{
    private const int ReconcileEvery = 30;

    private readonly CancellationTokenSource _stopping = new();
    private Task _heartbeat = Task.CompletedTask;
    private Task _watch = Task.CompletedTask;
    private int _reconcileNeeded = 1;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        // The watch is taken before the first reconcile, so a connection made in between is not missed.
        var events = registry.WatchAsync(_stopping.Token);
        _watch = Task.Run(() => WatchAsync(events), CancellationToken.None);
        _heartbeat = Task.Run(HeartbeatAsync, CancellationToken.None);
        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        await _stopping.CancelAsync().ConfigureAwait(false);
        await Task.WhenAll(_heartbeat, _watch).ConfigureAwait(false);
        try
        {
            var db = await backplane.GetDatabaseAsync().ConfigureAwait(false);
            await db.KeyDeleteAsync(backplane.Keys.Node(backplane.NodeId)).ConfigureAwait(false);
            await RemoveAllAsync(db).ConfigureAwait(false);
            await db.SetRemoveAsync(backplane.Keys.Nodes, backplane.NodeId).ConfigureAwait(false);
        }
        catch (Exception ex) when (RedisFailures.IsRedisFailure(ex))
        {
            // Without a goodbye the others drop this node when its heartbeat expires (NodeTimeout).
            RedisLog.GoodbyeFailed(logger, backplane.NodeId, ex);
        }
    }

    public void Dispose() => _stopping.Dispose();

    /// <summary>Tells the registry to compare this node's connections with Redis on the next heartbeat.</summary>
    public void RequestReconcile() => Volatile.Write(ref _reconcileNeeded, 1);

    private async Task HeartbeatAsync()
    {
        var keys = backplane.Keys;
        using var timer = new PeriodicTimer(backplane.Options.HeartbeatInterval);
        var beats = 0;
        do
        {
            try
            {
                var db = await backplane.GetDatabaseAsync().ConfigureAwait(false);
                await db.StringSetAsync(keys.Node(backplane.NodeId), DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(), backplane.Options.NodeTimeout).ConfigureAwait(false);
                await db.SetAddAsync(keys.Nodes, backplane.NodeId).ConfigureAwait(false);
                if (Interlocked.Exchange(ref _reconcileNeeded, 0) == 1 || ++beats % ReconcileEvery == 0)
                {
                    await ReconcileAsync(db).ConfigureAwait(false);
                }
            }
            catch (Exception ex) when (RedisFailures.IsRedisFailure(ex))
            {
                RequestReconcile();
                RedisLog.HeartbeatFailed(logger, backplane.NodeId, ex);
            }
        }
        while (await WaitAsync(timer).ConfigureAwait(false));
    }

    private async ValueTask<bool> WaitAsync(PeriodicTimer timer)
    {
        try
        {
            return await timer.WaitForNextTickAsync(_stopping.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    private async Task WatchAsync(IAsyncEnumerable<WsRestConnectionEvent> events)
    {
        try
        {
            await foreach (var e in events.ConfigureAwait(false))
            {
                try
                {
                    var db = await backplane.GetDatabaseAsync().ConfigureAwait(false);
                    if (e.Kind == WsRestConnectionEventKind.Connected)
                    {
                        await AddAsync(db, e.Connection).ConfigureAwait(false);
                    }
                    else
                    {
                        await RemoveAsync(db, e.Connection.Id).ConfigureAwait(false);
                    }
                }
                catch (Exception ex) when (RedisFailures.IsRedisFailure(ex))
                {
                    RequestReconcile();
                    RedisLog.RegistryWriteFailed(logger, e.Connection.Id, ex);
                }
            }
        }
        catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
        {
            // Stopping.
        }
    }

    private async Task ReconcileAsync(IDatabase db)
    {
        var local = registry.Connections.ToDictionary(c => c.Id, StringComparer.Ordinal);
        var listed = (await db.SetMembersAsync(backplane.Keys.NodeConnections(backplane.NodeId)).ConfigureAwait(false)).Select(v => (string)v!).ToHashSet(StringComparer.Ordinal);
        foreach (var (id, connection) in local)
        {
            if (!listed.Contains(id))
            {
                await AddAsync(db, connection).ConfigureAwait(false);
                if (!registry.TryGetConnection(id, out _))
                {
                    // It closed while being added, and the watch may have removed it just before: remove it again.
                    await RemoveAsync(db, id).ConfigureAwait(false);
                }
            }
        }

        foreach (var id in listed)
        {
            if (!local.ContainsKey(id))
            {
                await RemoveAsync(db, id).ConfigureAwait(false);
            }
        }
    }

    private async Task AddAsync(IDatabase db, WsRestConnection connection)
    {
        var keys = backplane.Keys;
        await db.HashSetAsync(keys.Connection(connection.Id), ConnectionRecord.ToHash(connection, backplane.NodeId)).ConfigureAwait(false);
        await db.SetAddAsync(keys.NodeConnections(backplane.NodeId), connection.Id).ConfigureAwait(false);
    }

    private async Task RemoveAsync(IDatabase db, string id)
    {
        var keys = backplane.Keys;
        await db.SetRemoveAsync(keys.NodeConnections(backplane.NodeId), id).ConfigureAwait(false);
        await db.ScriptEvaluateAsync(RegistryScripts.DeleteIfOwned, [keys.Connection(id)], [backplane.NodeId]).ConfigureAwait(false);
    }

    private async Task RemoveAllAsync(IDatabase db)
    {
        foreach (var id in await db.SetMembersAsync(backplane.Keys.NodeConnections(backplane.NodeId)).ConfigureAwait(false))
        {
            await db.ScriptEvaluateAsync(RegistryScripts.DeleteIfOwned, [backplane.Keys.Connection((string)id!)], [backplane.NodeId]).ConfigureAwait(false);
        }

        await db.KeyDeleteAsync(backplane.Keys.NodeConnections(backplane.NodeId)).ConfigureAwait(false);
    }
}
