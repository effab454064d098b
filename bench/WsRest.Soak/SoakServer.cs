using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using WsRest.Server;

namespace WsRest.Soak;

/// <summary>
/// The server side: one Kestrel host at a time on 127.0.0.1:0, restarted on demand. The POST ledger and the
/// event bus live outside the hosts, as a database and a backplane would, so a restart keeps the topics'
/// sequence numbers and the record of what ran.
/// </summary>
internal sealed class SoakServer : IAsyncDisposable
{
    public static readonly TimeSpan KeepAliveInterval = TimeSpan.FromSeconds(1);
    public static readonly TimeSpan KeepAliveTimeout = TimeSpan.FromSeconds(3);

    private readonly WebApplication _busHolder;
    private WebApplication _current;

    private SoakServer(WebApplication busHolder, IWsRestEventBus bus, PostLedger ledger, WebApplication first, IPEndPoint endPoint)
    {
        _busHolder = busHolder;
        Bus = bus;
        Ledger = ledger;
        _current = first;
        EndPoint = endPoint;
    }

    public PostLedger Ledger { get; }

    /// <summary>The bus every host publishes through; the soak's publisher uses it directly.</summary>
    public IWsRestEventBus Bus { get; }

    /// <summary>Where the current host listens.</summary>
    public IPEndPoint EndPoint { get; private set; }

    public int Restarts { get; private set; }

    public static async Task<SoakServer> StartAsync()
    {
        // The bus is AddWsRest's own in-memory bus, resolved from an app that is built but never started
        // and outlives the hosts that serve the connections.
        var holder = WebApplication.CreateSlimBuilder();
        holder.Logging.ClearProviders();
        holder.Services.AddWsRest(ConfigureWsRest);
        var busHolder = holder.Build();
        var bus = busHolder.Services.GetRequiredService<IWsRestEventBus>();
        var ledger = new PostLedger();
        var (app, endPoint) = await StartHostAsync(bus, ledger).ConfigureAwait(false);
        return new SoakServer(busHolder, bus, ledger, app, endPoint);
    }

    /// <summary>
    /// Rolling: the new host starts first, then the old one stops gracefully (GOAWAY, drain). Otherwise the
    /// old host stops first and the new one starts after <paramref name="downtime"/>, so reconnects fail meanwhile.
    /// <paramref name="retarget"/> points the proxy at the new host.
    /// </summary>
    public async Task RestartAsync(bool rolling, TimeSpan downtime, Action<IPEndPoint> retarget, CancellationToken cancellationToken)
    {
        var old = _current;
        if (rolling)
        {
            var (app, endPoint) = await StartHostAsync(Bus, Ledger).ConfigureAwait(false);
            (_current, EndPoint) = (app, endPoint);
            retarget(endPoint);
            await StopHostAsync(old).ConfigureAwait(false);
        }
        else
        {
            await StopHostAsync(old).ConfigureAwait(false);
            await Task.Delay(downtime, cancellationToken).ConfigureAwait(false);
            var (app, endPoint) = await StartHostAsync(Bus, Ledger).ConfigureAwait(false);
            (_current, EndPoint) = (app, endPoint);
            retarget(endPoint);
        }

        Restarts++;
    }

    public async ValueTask DisposeAsync()
    {
        await StopHostAsync(_current).ConfigureAwait(false);
        await _busHolder.DisposeAsync().ConfigureAwait(false);
    }

    private static void ConfigureWsRest(WsRestServerOptions options)
    {
        // Short heartbeats, so a blackhole is detected in seconds rather than the default 45.
        options.KeepAliveInterval = KeepAliveInterval;
        options.KeepAliveTimeout = KeepAliveTimeout;
        options.SendTimeout = TimeSpan.FromSeconds(5);
        options.ShutdownTimeout = TimeSpan.FromSeconds(10);
        options.HandshakeTimeout = TimeSpan.FromSeconds(5);
    }

    private static async Task<(WebApplication App, IPEndPoint EndPoint)> StartHostAsync(IWsRestEventBus bus, PostLedger ledger)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.WebHost.UseShutdownTimeout(TimeSpan.FromSeconds(15));
        builder.Logging.ClearProviders();
        builder.Services.AddSingleton(bus);
        builder.Services.AddWsRest(ConfigureWsRest);
        var app = builder.Build();
        SoakApp.Map(app, ledger);
        app.MapWsRest("/wsrest");
        await app.StartAsync().ConfigureAwait(false);
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        var uri = new Uri(address);
        return (app, new IPEndPoint(IPAddress.Loopback, uri.Port));
    }

    private static async Task StopHostAsync(WebApplication app)
    {
        // StopAsync sends GOAWAY to every connection and drains them (WsRestServerDecorator).
        await app.StopAsync().ConfigureAwait(false);
        await app.DisposeAsync().ConfigureAwait(false);
    }
}
