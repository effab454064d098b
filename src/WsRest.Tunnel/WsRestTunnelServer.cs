using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Logging;
using WsRest.Client;
using WsRest.Server.Dispatch;

namespace WsRest.Tunnel;

/// <summary>
/// An <see cref="IServer"/> that listens through an outbound WsRest connection: the app behind NAT
/// or a firewall dials the WsRest server once and serves the requests that arrive over that socket,
/// with no open port. It reconnects like any <see cref="WsRestClient"/>.
/// </summary>
internal sealed class WsRestTunnelServer : IServer
{
    private readonly WsRestClient _client;
    private readonly TunnelServerState _state;
    private readonly ILogger _logger;

    public WsRestTunnelServer(WsRestClient client, TunnelServerState state, ILoggerFactory loggerFactory)
    {
        _client = client;
        _state = state;
        _logger = loggerFactory.CreateLogger("WsRest.Tunnel");
        var addresses = new ServerAddressesFeature();
        addresses.Addresses.Add(client.Endpoint.ToString());
        Features.Set<IServerAddressesFeature>(addresses);
    }

    public IFeatureCollection Features { get; } = new FeatureCollection();

    public async Task StartAsync<TContext>(IHttpApplication<TContext> application, CancellationToken cancellationToken)
        where TContext : notnull
    {
        _state.SetApplication(new ApplicationPipeline<TContext>(application, _logger));

        // One attempt, so a tunnel that cannot reach its server fails the app's start-up visibly;
        // once connected, losses are reconnected per the client's options.
        await _client.ConnectAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Like Kestrel's stop: requests in flight finish until <paramref name="cancellationToken"/> fires, then the connection closes.</summary>
    public Task StopAsync(CancellationToken cancellationToken) => _client.DrainAndDisposeAsync(cancellationToken);

    public void Dispose()
    {
        // The client is owned by the container, which disposes it.
    }
}
