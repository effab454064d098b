using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using WsRest.Client;
using WsRest.Server;
using WsRest.Tests.Infrastructure;

namespace WsRest.Redis.Tests.Infrastructure;

/// <summary>One WsRest server node: real Kestrel on 127.0.0.1:0, joined to the others through <c>AddRedis</c>.</summary>
public sealed class ClusterNode : IAsyncDisposable
{
    private readonly List<WsRestClient> _clients = [];
    private Task? _stopped;

    private ClusterNode(string name, WebApplication app, Uri httpAddress, TestLoggerProvider logs)
    {
        Name = name;
        App = app;
        HttpAddress = httpAddress;
        WsRestEndpoint = new Uri($"ws://{httpAddress.Authority}/wsrest");
        Logs = logs;
    }

    public string Name { get; }

    public WebApplication App { get; }

    public Uri HttpAddress { get; }

    public Uri WsRestEndpoint { get; }

    public TestLoggerProvider Logs { get; }

    public IWsRestPublisher Publisher => App.Services.GetRequiredService<IWsRestPublisher>();

    public WsRestConnectionRegistry Registry => App.Services.GetRequiredService<WsRestConnectionRegistry>();

    public static async Task<ClusterNode> StartAsync(
        string name,
        string redis,
        string keyPrefix,
        Action<WsRestRedisOptions>? configureRedis = null,
        Action<WsRestServerOptions>? configureWsRest = null,
        Action<WebApplication>? map = null)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var logs = new TestLoggerProvider();
        builder.Logging.ClearProviders();
        builder.Logging.AddProvider(logs);
        builder.WebHost.UseShutdownTimeout(TimeSpan.FromSeconds(10));
        builder.Services.AddWsRest(configureWsRest).AddRedis(redis, o =>
        {
            o.KeyPrefix = keyPrefix;
            o.NodeId = name;

            // Liveness is not what most of these tests are about, and a loaded 2-core machine running the
            // whole suite paused a node's keep-alives past the 5 s default once (a 1 MiB cross-node call
            // failed as "not heard from for 5984 ms"). The tests about dead nodes set their own timeout.
            o.NodeTimeout = TimeSpan.FromSeconds(30);
            configureRedis?.Invoke(o);
        });
        var app = builder.Build();
        map?.Invoke(app);
        app.MapWsRest("/wsrest");
        await app.StartAsync().ConfigureAwait(false);
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new ClusterNode(name, app, new Uri(address.EndsWith('/') ? address : address + "/"), logs);
    }

    /// <summary>A client connected to <paramref name="endpoint"/> (default: this node), disposed with the node.</summary>
    public async Task<WsRestClient> ConnectAsync(Action<WsRestClientOptions>? configure = null, Uri? endpoint = null)
    {
        var options = new WsRestClientOptions { Endpoint = endpoint ?? WsRestEndpoint };
        configure?.Invoke(options);
        var client = new WsRestClient(options);
        _clients.Add(client);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await client.ConnectAsync(timeout.Token).ConfigureAwait(false);
        return client;
    }

    public IWsRestClusterRegistry ClusterRegistry => App.Services.GetRequiredService<IWsRestClusterRegistry>();

    /// <summary>
    /// The node dies as far as the cluster can tell: its Redis connection goes at once (no goodbye, no
    /// more heartbeats or messages); the rest of it stops in the background (awaited at dispose).
    /// </summary>
    public async Task KillAsync()
    {
        var redis = await App.Services.GetRequiredService<Connections.RedisBackplane>().GetAsync();
        await redis.DisposeAsync();
        _ = StopAsync();
    }

    /// <summary>Stops the node (its clients stay, and reconnect wherever their endpoint leads).</summary>
    public Task StopAsync() => _stopped ??= StopCoreAsync();

    private async Task StopCoreAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await App.StopAsync(timeout.Token).ConfigureAwait(false);
        await App.DisposeAsync().ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var client in _clients)
        {
            await client.DisposeAsync().ConfigureAwait(false);
        }

        await StopAsync().ConfigureAwait(false);
    }
}
