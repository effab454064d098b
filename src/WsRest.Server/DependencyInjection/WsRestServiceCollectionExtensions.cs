using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using WsRest.Server;
using WsRest.Server.Connections;
using WsRest.Server.Hosting;
using WsRest.Server.PubSub;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers the WsRest server.</summary>
public static class WsRestServiceCollectionExtensions
{
    /// <summary>
    /// Adds the WsRest server: the connection registry, WebSocket support, and a decorator around the
    /// registered <see cref="IServer"/> (Kestrel) that lets tunneled requests run through the app's own
    /// pipeline. Call it after <c>WebApplication.CreateBuilder</c> (which registers Kestrel), then map
    /// the endpoint with <c>app.MapWsRest("/wsrest")</c>. Calling it again is harmless: the server is
    /// decorated once, and every call's <paramref name="configure"/> applies, in order. A server registered
    /// after it (WebApplicationFactory's <c>UseKestrel()</c>) fails the start with what to do: call it again
    /// after that registration. The in-memory <c>TestServer</c> is not wrapped; WsRest runs in it as it is.
    /// </summary>
    /// <exception cref="InvalidOperationException">No <see cref="IServer"/> is registered yet.</exception>
    public static IServiceCollection AddWsRest(this IServiceCollection services, Action<WsRestServerOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        var optionsBuilder = services.AddOptions<WsRestServerOptions>();
        if (configure is not null)
        {
            optionsBuilder.Configure(configure);
        }

        optionsBuilder.Validate(o => o.MaxMessageSize >= 4096, "WsRestServerOptions.MaxMessageSize must be at least 4096 bytes.")
            .Validate(o => o.MaxConcurrentStreams >= 1, "WsRestServerOptions.MaxConcurrentStreams must be at least 1.")
            .Validate(o => o.InitialStreamWindowSize >= 1 && o.InitialConnectionWindowSize >= 1, "WsRestServerOptions window sizes must be positive.")
            .Validate(o => o.HandshakeTimeout > TimeSpan.Zero, "WsRestServerOptions.HandshakeTimeout must be positive.")
            .Validate(o => o.KeepAliveInterval >= TimeSpan.Zero && o.KeepAliveInterval <= TimeSpan.FromDays(1), "WsRestServerOptions.KeepAliveInterval must be between 0 (off) and one day.")
            .Validate(o => o.KeepAliveTimeout > TimeSpan.Zero && o.KeepAliveTimeout <= TimeSpan.FromDays(1), "WsRestServerOptions.KeepAliveTimeout must be positive and at most one day.")
            .Validate(o => o.MaxConnections is null or > 0 && o.MaxConnectionsPerUser is null or > 0, "WsRestServerOptions.MaxConnections and MaxConnectionsPerUser must be positive when set.")
            .Validate(o => o.MaxRequestHeaderCount > 0, "WsRestServerOptions.MaxRequestHeaderCount must be positive.")
            .Validate(o => o.SendTimeout == Timeout.InfiniteTimeSpan || o.SendTimeout > TimeSpan.Zero, "WsRestServerOptions.SendTimeout must be positive or infinite.")
            .Validate(o => o.Compression.ServerMaxWindowBits is >= 9 and <= 15, "WsRestServerOptions.Compression.ServerMaxWindowBits must be between 9 and 15 (RFC 7692).")
            .Validate(o => o.PubSub.MaxTopics > 0, "WsRestServerOptions.PubSub.MaxTopics must be positive.")
            .ValidateOnStart();

        services.TryAddSingleton<WsRestConnectionRegistry>();
        services.TryAddSingleton<ApplicationPipelineHolder>();
        services.TryAddSingleton<ConnectionAdmission>();
        services.TryAddSingleton<WsRestConnectionHandler>();
        services.TryAddSingleton<IWsRestEventBus, InMemoryEventBus>();
        services.TryAddSingleton<IWsRestPublisher, WsRestPublisher>();
        services.TryAddSingleton<IWsRestClusterRegistry, WsRest.Server.Cluster.LocalClusterRegistry>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IStartupFilter, WebSocketsStartupFilter>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IStartupFilter, ServerWiringCheck>());
        DecorateServer(services);
        return services;
    }

    private static void DecorateServer(IServiceCollection services)
    {
        var index = -1;
        for (var i = services.Count - 1; i >= 0; i--)
        {
            if (services[i].ServiceType == typeof(IServer))
            {
                index = i;
                break;
            }
        }

        if (index < 0)
        {
            throw new InvalidOperationException("AddWsRest needs the app's IServer (Kestrel) registered first: call it on WebApplicationBuilder.Services after WebApplication.CreateBuilder.");
        }

        var inner = services[index];
        if (inner.ImplementationFactory?.Target is ServerDecoration)
        {
            return; // AddWsRest ran before on this server: decorate it once
        }

        if (TestServerPipeline.IsTestServer(inner.ImplementationType ?? inner.ImplementationInstance?.GetType()))
        {
            return; // WebApplicationFactory casts the server to TestServer: its pipeline is taken from it instead
        }

        services[index] = ServiceDescriptor.Singleton<IServer>(new ServerDecoration(inner).Create);
    }

    /// <summary>
    /// The factory of the decorated <see cref="IServer"/>; its descriptor's factory target is how a second
    /// <c>AddWsRest</c> recognizes that the server is decorated already.
    /// </summary>
    private sealed class ServerDecoration(ServiceDescriptor inner)
    {
        public WsRestServerDecorator Create(IServiceProvider services) => new(
            CreateInner(services),
            services.GetRequiredService<ApplicationPipelineHolder>(),
            services.GetRequiredService<WsRestConnectionRegistry>(),
            services.GetRequiredService<ILoggerFactory>());

        private IServer CreateInner(IServiceProvider services)
        {
            if (inner.ImplementationInstance is IServer instance)
            {
                return instance;
            }

            if (inner.ImplementationFactory is { } factory)
            {
                return (IServer)factory(services);
            }

            // Kestrel's implementation type is internal, so it is built from its descriptor, not named.
            return (IServer)ActivatorUtilities.CreateInstance(services, inner.ImplementationType!);
        }
    }

    /// <summary>WebSocket upgrades need the WebSockets middleware in front of routing; it is harmless if the app adds it too.</summary>
    private sealed class WebSocketsStartupFilter : IStartupFilter
    {
        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            app.UseWebSockets();
            next(app);
        };
    }
}
