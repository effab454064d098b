using Microsoft.Extensions.Diagnostics.HealthChecks;
using WsRest.Client;
using WsRest.Client.Diagnostics;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Health checks for WsRest client connections.</summary>
public static class WsRestHealthChecksBuilderExtensions
{
    /// <summary>
    /// Checks the state of the DI-owned WsRest connection named <paramref name="connectionName"/> (see
    /// <see cref="IWsRestClientProvider"/>): Healthy when connected, Degraded while (re)connecting,
    /// <paramref name="failureStatus"/> (default Unhealthy) when closed or not connected.
    /// </summary>
    public static IHealthChecksBuilder AddWsRestConnection(this IHealthChecksBuilder builder, string connectionName, string? name = null, HealthStatus? failureStatus = null, IEnumerable<string>? tags = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrEmpty(connectionName);
        return builder.Add(new HealthCheckRegistration(
            name ?? $"wsrest:{connectionName}",
            services => new WsRestClientHealthCheck(() => services.GetRequiredService<IWsRestClientProvider>().GetClient(connectionName)),
            failureStatus,
            tags));
    }

    /// <summary>Checks the state of a <see cref="WsRestClient"/> you own (for example the tunnel's, from DI).</summary>
    public static IHealthChecksBuilder AddWsRestConnection(this IHealthChecksBuilder builder, Func<IServiceProvider, WsRestClient> client, string name = "wsrest", HealthStatus? failureStatus = null, IEnumerable<string>? tags = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(client);
        return builder.Add(new HealthCheckRegistration(name, services => new WsRestClientHealthCheck(() => client(services)), failureStatus, tags));
    }
}
