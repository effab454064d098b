using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using WsRest.Client;
using WsRest.Server;

namespace WsRest.Tests.Infrastructure;

/// <summary>A real Kestrel server on 127.0.0.1:0 serving an app over plain HTTP and WsRest.</summary>
public sealed class TestHost : IAsyncDisposable
{
    private readonly List<WsRestClient> _clients = [];

    private TestHost(WebApplication app, Uri httpAddress)
    {
        App = app;
        HttpAddress = httpAddress;
        WsRestEndpoint = new Uri($"ws://{httpAddress.Authority}/wsrest");
    }

    public WebApplication App { get; }

    public Uri HttpAddress { get; }

    public Uri WsRestEndpoint { get; }

    /// <summary>The encoding of the clients this host connects (<see cref="ConnectAsync"/>) unless a test sets its own.</summary>
    public WsRestEncoding ClientEncoding { get; private set; }

    public WsRestConnectionRegistry Registry => App.Services.GetRequiredService<WsRestConnectionRegistry>();

    /// <summary>As <see cref="StartAsync(Action{WebApplication}, Action{WsRestServerOptions}?, Action{WebApplicationBuilder}?, Action{IEndpointConventionBuilder}?)"/>; the host's clients speak <paramref name="clientEncoding"/>.</summary>
    public static async Task<TestHost> StartAsync(
        WsRestEncoding clientEncoding,
        Action<WebApplication> map,
        Action<WsRestServerOptions>? configureWsRest = null,
        Action<WebApplicationBuilder>? configureBuilder = null,
        Action<IEndpointConventionBuilder>? configureEndpoint = null)
    {
        var host = await StartAsync(map, configureWsRest, configureBuilder, configureEndpoint).ConfigureAwait(false);
        host.ClientEncoding = clientEncoding;
        return host;
    }

    public static async Task<TestHost> StartAsync(
        Action<WebApplication> map,
        Action<WsRestServerOptions>? configureWsRest = null,
        Action<WebApplicationBuilder>? configureBuilder = null,
        Action<IEndpointConventionBuilder>? configureEndpoint = null)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        builder.Logging.AddProvider(new TestLoggerProvider());
        builder.WebHost.UseShutdownTimeout(TimeSpan.FromSeconds(20));
        configureBuilder?.Invoke(builder);
        builder.Services.AddWsRest(configureWsRest);
        var app = builder.Build();
        map(app);
        var endpoint = app.MapWsRest("/wsrest");
        configureEndpoint?.Invoke(endpoint);
        await app.StartAsync().ConfigureAwait(false);
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new TestHost(app, new Uri(address.EndsWith('/') ? address : address + "/"));
    }

    /// <summary>
    /// A host answering <c>GET /ping</c> whose heartbeat (1 min interval, 2 min timeout) runs on <paramref name="clock"/>,
    /// so a test moves time instead of waiting for it.
    /// </summary>
    public static Task<TestHost> StartWithHeartbeatClockAsync(ManualClock clock)
        => StartAsync(
            app => app.MapGet("/ping", () => "pong"),
            o =>
            {
                o.KeepAliveInterval = TimeSpan.FromMinutes(1);
                o.KeepAliveTimeout = TimeSpan.FromMinutes(2);
                o.TimeProvider = clock;
            });

    /// <summary>A connected client, disposed with the host.</summary>
    public async Task<WsRestClient> ConnectAsync(Action<WsRestClientOptions>? configure = null)
    {
        var options = new WsRestClientOptions { Endpoint = WsRestEndpoint, Encoding = ClientEncoding };
        configure?.Invoke(options);
        var client = new WsRestClient(options);
        _clients.Add(client);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await client.ConnectAsync(timeout.Token).ConfigureAwait(false);
        return client;
    }

    /// <summary>An HttpClient that sends over a new WsRest connection.</summary>
    public async Task<HttpClient> CreateWsRestHttpClientAsync(Action<WsRestClientOptions>? configure = null)
    {
        var client = await ConnectAsync(configure).ConfigureAwait(false);
        return new HttpClient(new WebSocketMessageHandler(client)) { BaseAddress = HttpAddress, Timeout = TimeSpan.FromSeconds(60) };
    }

    /// <summary>An HttpClient over plain HTTP/1.1 to the same server.</summary>
    public HttpClient CreatePlainHttpClient() => new() { BaseAddress = HttpAddress, Timeout = TimeSpan.FromSeconds(60) };

    public async ValueTask DisposeAsync()
    {
        foreach (var client in _clients)
        {
            await client.DisposeAsync().ConfigureAwait(false);
        }

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await App.StopAsync(timeout.Token).ConfigureAwait(false);
        await App.DisposeAsync().ConfigureAwait(false);
    }
}
