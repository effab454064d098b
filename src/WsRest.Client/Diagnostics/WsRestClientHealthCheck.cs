using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace WsRest.Client.Diagnostics;

/// <summary>
/// Reports a <see cref="WsRestClient"/>'s connection as a health check: Healthy when connected,
/// Degraded while connecting or reconnecting (requests wait for an attempt in progress), Unhealthy when closed
/// or never connected.
/// </summary>
internal sealed class WsRestClientHealthCheck(Func<WsRestClient> client) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var connection = client();
        var data = new Dictionary<string, object>
        {
            ["endpoint"] = connection.Endpoint.ToString(),
            ["state"] = connection.State.ToString(),
            ["connectionId"] = connection.ConnectionId ?? string.Empty,
        };

        var result = connection.State switch
        {
            WsRestConnectionState.Connected => HealthCheckResult.Healthy($"Connected to {connection.Endpoint} as {connection.ConnectionId}.", data),
            WsRestConnectionState.Connecting or WsRestConnectionState.Reconnecting => new HealthCheckResult(HealthStatus.Degraded, $"{connection.State} to {connection.Endpoint}; requests wait for an attempt in progress and, between failed attempts, fail at once unless they wait for ready.", data: data),
            WsRestConnectionState.Disconnected => new HealthCheckResult(context.Registration.FailureStatus, $"Not connected to {connection.Endpoint} yet.", data: data),
            _ => new HealthCheckResult(context.Registration.FailureStatus, $"The connection to {connection.Endpoint} is closed.", data: data),
        };
        return Task.FromResult(result);
    }
}
