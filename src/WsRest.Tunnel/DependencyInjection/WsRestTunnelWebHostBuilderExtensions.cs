using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using WsRest.Client;
using WsRest.Tunnel;

namespace Microsoft.AspNetCore.Hosting;

/// <summary>Runs an ASP.NET Core app behind an outbound WsRest connection.</summary>
public static class WsRestTunnelWebHostBuilderExtensions
{
    private const string OptionsName = "WsRest.Tunnel";

    /// <summary>
    /// Serves the app through a WsRest connection this side dials (docs/reverse.md), instead of a
    /// listening socket: the WsRest server calls this app's endpoints over the connection. The
    /// connection's <see cref="WsRestClient"/> is registered in DI, so the app can read its state and
    /// events, or call the server through it too. Callers appear as <c>HttpContext.User</c> with the name
    /// the server stamped (<c>wsrest-caller</c>) and the claim <c>wsrest:connection-id</c>.
    /// </summary>
    public static IWebHostBuilder UseWsRestTunnel(this IWebHostBuilder builder, Action<WsRestClientOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(configure);
        return builder.ConfigureServices(services =>
        {
            services.AddOptions<WsRestClientOptions>(OptionsName).Configure(configure);
            services.TryAddSingleton<TunnelServerState>();
            services.TryAddSingleton(sp =>
            {
                var options = sp.GetRequiredService<IOptionsMonitor<WsRestClientOptions>>().Get(OptionsName);
                var state = sp.GetRequiredService<TunnelServerState>();
                options.StreamHandlerFactory = state.CreateDispatcher;
                return new WsRestClient(options, sp.GetService<ILoggerFactory>(), sp.GetService<TimeProvider>(), sp.GetService<System.Diagnostics.Metrics.IMeterFactory>());
            });

            // Replaces Kestrel: the last IServer registered is the one the host starts.
            services.AddSingleton<IServer, WsRestTunnelServer>();
        });
    }
}
