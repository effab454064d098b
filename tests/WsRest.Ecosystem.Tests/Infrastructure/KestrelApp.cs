using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using WsRest.Client;
using WsRest.Server;

namespace WsRest.Ecosystem.Tests.Infrastructure;

/// <summary>An app with WsRest on real Kestrel at 127.0.0.1:0, and clients to it over WsRest and plain HTTP.</summary>
internal sealed class KestrelApp : IAsyncDisposable
{
    private readonly List<IAsyncDisposable> _owned = [];

    private KestrelApp(WebApplication app, Uri address)
    {
        App = app;
        HttpAddress = address;
        WsRestEndpoint = new Uri($"ws://{address.Authority}/wsrest");
    }

    public WebApplication App { get; }

    public Uri HttpAddress { get; }

    public Uri WsRestEndpoint { get; }

    public IServiceProvider Services => App.Services;

    public static async Task<KestrelApp> StartAsync(Action<IServiceCollection> configureServices, Action<WebApplication> map)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        configureServices(builder.Services);
        builder.Services.AddWsRest();
        var app = builder.Build();
        map(app);
        app.MapWsRest("/wsrest");
        await app.StartAsync().ConfigureAwait(false);
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new KestrelApp(app, new Uri(address.TrimEnd('/') + "/"));
    }

    /// <summary>An HttpClient over a new WsRest connection (a client built without DI), disposed with the app.</summary>
    public HttpClient CreateWsRestHttpClient()
    {
        var connection = new WsRestClient(new WsRestClientOptions { Endpoint = WsRestEndpoint });
        _owned.Add(connection);
        return new HttpClient(new WebSocketMessageHandler(connection)) { BaseAddress = HttpAddress, Timeout = TestTimeout.Default };
    }

    public HttpClient CreatePlainHttpClient() => new() { BaseAddress = HttpAddress, Timeout = TestTimeout.Default };

    public void Own(IAsyncDisposable disposable) => _owned.Add(disposable);

    public async ValueTask DisposeAsync()
    {
        for (var i = _owned.Count - 1; i >= 0; i--)
        {
            await _owned[i].DisposeAsync().ConfigureAwait(false);
        }

        using var timeout = new CancellationTokenSource(TestTimeout.Default);
        await App.StopAsync(timeout.Token).ConfigureAwait(false);
        await App.DisposeAsync().ConfigureAwait(false);
    }
}
