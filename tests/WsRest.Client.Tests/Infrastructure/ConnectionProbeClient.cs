namespace WsRest.Client.Tests.Infrastructure;

/// <summary>A typed client of <see cref="ProbeServer"/>: each call answers the connection id the request arrived on.</summary>
public sealed class ConnectionProbeClient(HttpClient http)
{
    public HttpClient Http => http;

    public Task<string> GetConnectionIdAsync(CancellationToken cancellationToken)
        => http.GetStringAsync(new Uri(ProbeServer.ConnectionPath.TrimStart('/'), UriKind.Relative), cancellationToken);

    public Task<string> GetConnectionIdSlowlyAsync(TimeSpan delay, CancellationToken cancellationToken)
        => http.GetStringAsync(new Uri($"{ProbeServer.SlowPath.TrimStart('/')}?ms={(int)delay.TotalMilliseconds}", UriKind.Relative), cancellationToken);
}
