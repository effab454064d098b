using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using WsRest.Server;

namespace WsRest.Js.TestServer;

/// <summary>Builds the test server: the WsRest endpoint at /wsrest and the endpoints of <see cref="TestEndpoints"/>.</summary>
internal static class TestServerApp
{
    public static WebApplication Build(string[] args)
    {
        var builder = WebApplication.CreateBuilder(args);
        if (builder.Configuration["urls"] is null)
        {
            builder.WebHost.UseUrls("http://127.0.0.1:0");
        }

        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        // An AuthenticationHandler<T> like JwtBearer's: it caches its result per request, which the
        // server's HELLO authentication must not trip over.
        builder.Services.AddAuthentication(TokenAuthenticationHandler.SchemeName)
            .AddScheme<AuthenticationSchemeOptions, TokenAuthenticationHandler>(TokenAuthenticationHandler.SchemeName, configureOptions: null);
        builder.Services.AddSingleton<UpgradeGate>();
        builder.Services.AddSingleton<AbortLog>();
        builder.Services.AddWsRest(o =>
        {
            o.ServerName = "js-test-server";
            // The tests publish from the client too.
            // Small, so a test can publish past it and see the gap notice of a replay (§10.6).
            o.PubSub.ReplayBufferSize = 16;
            o.PubSub.AuthorizePublish = (_, topic) => topic.StartsWith("client/", StringComparison.Ordinal);
        });

        var app = builder.Build();
        app.UseWebSockets();
        app.Use(UpgradeGate.Middleware);
        app.MapWsRest("/wsrest");
        TestEndpoints.Map(app);
        return app;
    }

    public static string ListeningUrl(WebApplication app)
        => app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
}
