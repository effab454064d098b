using System.Net.Http.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using WsRest.Client;

namespace Snippets.Packages;

/// <summary>
/// The quick starts of README.md and of each package's README.md (src/*/README.md, shipped in the
/// package). They run forever as written (<c>app.Run()</c>), so they are compiled, not run; the same
/// calls run in the tests of docs/getting-started.md.
/// </summary>
public static class QuickStart
{
    public static void Server(string[] args)
    {
        #region readme.server
        var builder = WebApplication.CreateBuilder(args);
        builder.Services.AddWsRest();                       // after CreateBuilder: wraps Kestrel
        var app = builder.Build();
        app.MapGet("/pets/{id}", (int id) => new Pet(id, "Rex"));
        app.MapWsRest("/wsrest");                           // the WebSocket endpoint; composes like any endpoint
        app.Run();
        #endregion
    }

    public static async Task<Pet?> ClientAsync()
    {
        #region readme.client
        await using var connection = new WsRestClient(new WsRestClientOptions
        {
            Endpoint = new Uri("ws://localhost:5000/wsrest"),
        });
        using var http = new HttpClient(new WebSocketMessageHandler(connection))
        {
            BaseAddress = new Uri("http://localhost:5000/"),   // only the path and query are sent
        };
        var pet = await http.GetFromJsonAsync<Pet>("pets/1");  // over the WebSocket
        #endregion

        return pet;
    }

    public static void ClientWithHttpClientFactory(IServiceCollection services)
    {
        #region readme.client-factory
        services.AddHttpClient<PetsClient>()
            .AddWebSocketTransport(o => o.Endpoint = new Uri("ws://localhost:5000/wsrest"));
        #endregion
    }

    public static void Redis(string[] args)
    {
        #region readme.redis
        var builder = WebApplication.CreateBuilder(args);
        builder.Services.AddWsRest()
            .AddRedis(builder.Configuration.GetConnectionString("redis"));   // or an IConnectionMultiplexer
        var app = builder.Build();
        app.MapWsRest("/wsrest");
        app.Run();
        #endregion
    }

    public static void Tunnel(string[] args)
    {
        #region readme.tunnel
        var builder = WebApplication.CreateBuilder(args);
        builder.WebHost.UseWsRestTunnel(o => o.Endpoint = new Uri("wss://api.example.com/wsrest"));   // dials out; no listening port
        builder.Services.AddAuthentication("WsRest").AddWsRestTunnelCaller();                           // the server's calls as HttpContext.User
        var app = builder.Build();
        app.MapGet("/status", () => "ok");
        app.Run();
        #endregion
    }
}
