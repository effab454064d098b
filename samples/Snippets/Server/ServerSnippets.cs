using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using WsRest.Server;

namespace Snippets.Server;

/// <summary>The examples of docs/server.md.</summary>
public static class ServerSnippets
{
    public static WebApplication Create(string[] args)
    {
        #region server.setup
        var builder = WebApplication.CreateBuilder(args);
        builder.Services.AddWsRest(o => o.MaxConcurrentStreams = 200);   // after CreateBuilder
        builder.Services.AddAuthentication().AddBearerToken();
        builder.Services.AddAuthorization();
        builder.Services.AddControllers();
        var app = builder.Build();
        app.UseAuthentication();
        app.UseAuthorization();
        app.MapControllers();                                            // your API, unchanged
        app.MapWsRest("/wsrest").RequireAuthorization();                 // authenticate the upgrade once
        #endregion

        return app;
    }

    public static void KestrelLimits(WebApplicationBuilder builder)
    {
        #region server.kestrel-limits
        builder.WebHost.ConfigureKestrel(kestrel =>
            kestrel.Limits.MinRequestBodyDataRate = new MinDataRate(bytesPerSecond: 240, gracePeriod: TimeSpan.FromSeconds(5)));
        #endregion
    }

    public static void ListConnections(WebApplication app)
    {
        #region server.registry-list
        var registry = app.Services.GetRequiredService<WsRestConnectionRegistry>();
        foreach (var c in registry.Connections)
        {
            Console.WriteLine($"{c.Id} {c.User.Identity?.Name} {c.RemoteEndPoint} {c.ConnectedAt} {c.ActiveStreams}");
        }
        #endregion
    }

    public static async Task WatchConnectionsAsync(WsRestConnectionRegistry registry, CancellationToken stoppingToken)
    {
        #region server.registry-watch
        await foreach (var e in registry.WatchAsync(stoppingToken))     // Connected, Closed, Failed (with Error)
        {
            Console.WriteLine($"{e.Timestamp:O} {e.Kind} {e.Connection.Id} {e.Error?.Message}");
        }
        #endregion
    }
}
