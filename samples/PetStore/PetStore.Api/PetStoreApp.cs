using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;

namespace PetStore.Api;

/// <summary>
/// Builds the PetStore application. The standalone program, the demo and the tests all start it
/// through this class, so every host runs the very same pipeline: plain HTTP and WsRest (at
/// <see cref="WsRestPath"/>) reach the same endpoints.
/// </summary>
public static class PetStoreApp
{
    /// <summary>The address the standalone program listens on when no URL is configured.</summary>
    public const string DefaultUrl = "http://127.0.0.1:5080";

    /// <summary>The path of the WsRest WebSocket endpoint.</summary>
    public const string WsRestPath = "/wsrest";

    /// <summary>The connection string that, when set, joins this node to the others through Redis.</summary>
    public const string RedisConnectionStringName = "Redis";

    /// <summary>The path of the OpenAPI document.</summary>
    public const string OpenApiPath = "/openapi/v1.json";

    /// <summary>Creates a builder with the PetStore services registered.</summary>
    public static WebApplicationBuilder CreateBuilder(string[] args)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions
        {
            Args = args,
            ApplicationName = typeof(PetStoreApp).Assembly.GetName().Name,

            // The page's files are copied next to the assembly (PetStore.Api.csproj), so the demo and
            // the tests, whose working directory is elsewhere, serve them too.
            WebRootPath = Path.Combine(AppContext.BaseDirectory, "wwwroot"),
        });

        builder.Services.AddSingleton(_ => PetRepository.CreateSeeded());
        builder.Services.AddSingleton<PetChanges>(); // publishes pets/created, pets/updated, pets/deleted (IWsRestPublisher, from AddWsRest)
        builder.Services.ConfigureHttpJsonOptions(o =>
        {
            // Numbers are numbers: the web default also accepts them as strings, which types ids as
            // "integer or string" in the OpenAPI document.
            o.SerializerOptions.NumberHandling = JsonNumberHandling.Strict;
            o.SerializerOptions.TypeInfoResolverChain.Insert(0, PetStoreJsonContext.Default);
        });
        builder.Services.AddProblemDetails();
        builder.Services.AddOpenApi();
        builder.Services.AddWsRest(o => o.ServerName = KioskEndpoints.ServerName);
        builder.Services.AddHostedService<KioskEventPublisher>(); // kiosks/connected, kiosks/disconnected
        builder.Services.AddSingleton<SlowRequestLog>();
        PetStoreAuthentication.AddIfRequired(builder); // off unless PetStore:RequireToken=true

        // Several nodes behind a load balancer: with a "Redis" connection string (ConnectionStrings:Redis,
        // e.g. the environment variable ConnectionStrings__Redis=127.0.0.1:6379), events, the kiosk list
        // and kiosk calls span every node (docs/scale-out.md). Without one, this is a single node.
        if (builder.Configuration.GetConnectionString(RedisConnectionStringName) is { Length: > 0 } redis)
        {
            builder.Services.AddRedis(redis);
        }

        return builder;
    }

    /// <summary>Builds the application from <paramref name="builder"/> and maps its middleware and endpoints.</summary>
    public static WebApplication Build(WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var app = builder.Build();
        app.UseExceptionHandler();
        app.UseStatusCodePages();

        // The web page (wwwroot/index.html): same origin as /wsrest, which WsRest's default origin
        // allow-list accepts.
        app.UseDefaultFiles();
        app.UseStaticFiles();
        var requireToken = PetStoreAuthentication.IsRequired(app.Configuration);
        if (requireToken)
        {
            app.UseAuthentication();
            app.UseAuthorization();
        }

        app.MapOpenApi();
        var wsRest = app.MapWsRest(WsRestPath);
        var pets = app.MapPetEndpoints();
        var kiosks = app.MapKioskEndpoints();
        app.MapSlowEndpoints();
        if (requireToken)
        {
            // The upgrade is authenticated once; every request on the connection runs as its user.
            wsRest.RequireAuthorization();
            pets.RequireAuthorization();
            kiosks.RequireAuthorization();
        }

        return app;
    }

    /// <summary>
    /// Builds and starts the application on <paramref name="url"/> (e.g. <c>http://127.0.0.1:0</c> for
    /// a free port). Read the bound address with <see cref="GetBaseAddress"/>; stop it with
    /// <c>StopAsync</c> and dispose it.
    /// </summary>
    /// <param name="url">The URL to listen on.</param>
    /// <param name="configure">Adjusts the builder before the app is built (logging, services), or null.</param>
    /// <param name="cancellationToken">Cancels the start.</param>
    public static async Task<WebApplication> StartAsync(string url, Action<WebApplicationBuilder>? configure = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(url);
        var builder = CreateBuilder([]);
        builder.WebHost.UseUrls(url);
        configure?.Invoke(builder);
        var app = Build(builder);
        try
        {
            await app.StartAsync(cancellationToken).ConfigureAwait(false);
            return app;
        }
        catch
        {
            await app.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>The first address a started application listens on, e.g. <c>http://127.0.0.1:41234/</c>.</summary>
    /// <exception cref="InvalidOperationException">The application has not started or listens nowhere.</exception>
    public static Uri GetBaseAddress(WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        var addresses = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses;
        var first = addresses?.FirstOrDefault()
            ?? throw new InvalidOperationException("The application has no bound address; start it first.");
        return new Uri(first.EndsWith('/') ? first : first + "/");
    }

    /// <summary>The WsRest endpoint (<c>ws://host:port/wsrest</c>) for an HTTP base address.</summary>
    public static Uri GetWsRestEndpoint(Uri baseAddress)
    {
        ArgumentNullException.ThrowIfNull(baseAddress);
        var builder = new UriBuilder(baseAddress)
        {
            Scheme = baseAddress.Scheme == Uri.UriSchemeHttps ? "wss" : "ws",
            Path = WsRestPath,
        };
        return builder.Uri;
    }
}
