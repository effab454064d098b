using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using WsRest.Server;

namespace WsRest.Client.Tests.Infrastructure;

/// <summary>
/// A real Kestrel server on 127.0.0.1:0 serving plain HTTP and WsRest at <c>/wsrest</c>. Its endpoints
/// answer with the WsRest connection id a request arrived on (<c>http</c> for plain HTTP), and it counts
/// WebSocket upgrades, so tests can tell how many connections a client opened.
/// </summary>
public sealed class ProbeServer : IAsyncDisposable
{
    /// <summary>What <see cref="ConnectionPath"/> answers for a request that did not come over WsRest.</summary>
    public const string PlainHttp = "http";

    /// <summary>GET: answers the connection id at once.</summary>
    public const string ConnectionPath = "/connection";

    /// <summary>GET: answers the connection id at once (the path the documentation's example client calls).</summary>
    public const string ItemsPath = "/items";

    /// <summary>GET <c>?ms=N</c>: answers the connection id after N milliseconds.</summary>
    public const string SlowPath = "/slow";

    private readonly WebApplication _app;
    private int _upgrades;

    private ProbeServer(WebApplication app)
    {
        _app = app;
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        HttpAddress = new Uri(address.EndsWith('/') ? address : address + "/");
        Endpoint = new Uri($"ws://{HttpAddress.Authority}/wsrest");
    }

    /// <summary>The plain HTTP base address, e.g. http://127.0.0.1:41234/.</summary>
    public Uri HttpAddress { get; }

    /// <summary>The WsRest endpoint, e.g. ws://127.0.0.1:41234/wsrest.</summary>
    public Uri Endpoint { get; }

    /// <summary>How many WebSocket upgrades reached <c>/wsrest</c> so far.</summary>
    public int Upgrades => Volatile.Read(ref _upgrades);

    /// <summary>The Authorization header of each WebSocket upgrade, in order (empty when there was none).</summary>
    public ConcurrentQueue<string> UpgradeAuthorizations { get; } = new();

    /// <summary>The server's connection registry (open connections and their metadata).</summary>
    public WsRestConnectionRegistry Registry => _app.Services.GetRequiredService<WsRestConnectionRegistry>();

    /// <summary>The metadata each connection sent in its handshake, by connection id (kept after it closes).</summary>
    public ConcurrentDictionary<string, IReadOnlyDictionary<string, string>> Metadata { get; } = new();

    public static async Task<ProbeServer> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.WebHost.UseShutdownTimeout(TimeSpan.FromSeconds(10));
        builder.Logging.ClearProviders();
        builder.Services.AddWsRest();
        var app = builder.Build();
        ProbeServer? server = null;
        app.Use(async (context, next) =>
        {
            if (context.WebSockets.IsWebSocketRequest)
            {
                Interlocked.Increment(ref server!._upgrades);
                server.UpgradeAuthorizations.Enqueue(context.Request.Headers.Authorization.ToString());
            }

            await next(context);
        });
        app.MapGet(ConnectionPath, (HttpContext context) => ConnectionId(server!, context));
        app.MapGet(ItemsPath, (HttpContext context) => ConnectionId(server!, context));
        app.MapGet(SlowPath, async (HttpContext context, int ms) =>
        {
            await Task.Delay(ms, context.RequestAborted);
            return ConnectionId(server!, context);
        });
        app.MapWsRest("/wsrest");
        await app.StartAsync();
        server = new ProbeServer(app);
        return server;
    }

    public async ValueTask DisposeAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await _app.StopAsync(timeout.Token);
        await _app.DisposeAsync();
    }

    private static string ConnectionId(ProbeServer server, HttpContext context)
    {
        if (context.Features.Get<IWsRestConnectionFeature>() is not { } feature)
        {
            return PlainHttp;
        }

        server.Metadata.TryAdd(feature.Connection.Id, feature.Connection.Metadata);
        return feature.Connection.Id;
    }
}
