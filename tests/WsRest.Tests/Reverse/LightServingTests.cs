using System.Net;
using System.Net.Http.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using WsRest.Client;
using WsRest.Server;
using WsRest.Tests.Infrastructure;

namespace WsRest.Tests.Reverse;

/// <summary>
/// Issue 18, item 7: a console or worker-service client serves a few endpoints to the server with
/// <see cref="WsRestClientOptions.Endpoints"/> — routing by method and path, typed JSON with the web
/// defaults, services from dependency injection — and the server sees which connections accept calls.
/// </summary>
[TestFixture(WsRestEncoding.Binary)]
[TestFixture(WsRestEncoding.Json)]
public class LightServingTests(WsRestEncoding encoding)
{
    private static readonly TimeSpan Generous = TimeSpan.FromSeconds(30);
    private static readonly string[] AllowGet = ["GET"];

    [Test]
    public async Task AWorkerServesTwoTypedRoutesWithServicesFromDependencyInjection()
    {
        await using var host = await TestHost.StartAsync(encoding, map: app => app.MapGet("/hello", () => "hi"));
        using var worker = StartWorker(host);
        await worker.StartAsync();
        await ConnectThroughTheTypedClientAsync(worker);
        var connection = host.Registry.Connections.Single(c => c.Metadata.GetValueOrDefault("role") == "kiosk");
        using var http = connection.CreateHttpClient();

        var status = await http.GetFromJsonAsync<KioskStatus>("/status").WaitAsync(Generous);
        Assert.That(status, Is.EqualTo(new KioskStatus("idle", 0)));

        var shown = await http.PutAsJsonAsync("/displays/3", new DisplayRequest("Rex is back", Seconds: 30)).WaitAsync(Generous);
        Assert.That(shown.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(shown.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/json"));
        Assert.That(await shown.Content.ReadAsStringAsync(), Does.Contain("\"screen\":3"), "camelCase out (web defaults)");
        Assert.That(await shown.Content.ReadFromJsonAsync<DisplayResult>(), Is.EqualTo(new DisplayResult(Screen: 3, Text: "Rex is back", Caller: "server")));

        // The singleton kept the state; each request had its own scope, disposed when the request ended.
        Assert.That(await http.GetFromJsonAsync<KioskStatus>("/status").WaitAsync(Generous), Is.EqualTo(new KioskStatus("showing 'Rex is back' on 3", 1)));
        var scopes = worker.Services.GetRequiredService<ScopeLog>();
        Assert.That(scopes.Created, Is.EqualTo(3));
        Assert.That(scopes.Disposed, Is.EqualTo(3));
        await worker.StopAsync();
    }

    [Test]
    public async Task AnUnknownPathIs404AndAWrongMethodIs405WithAllow()
    {
        await using var host = await TestHost.StartAsync(encoding, map: app => app.MapGet("/hello", () => "hi"));
        using var worker = StartWorker(host);
        await worker.StartAsync();
        await ConnectThroughTheTypedClientAsync(worker);
        using var http = host.Registry.Connections.Single(c => c.Metadata.GetValueOrDefault("role") == "kiosk").CreateHttpClient();

        using var unknown = await http.GetAsync("/nothing/here").WaitAsync(Generous);
        Assert.That(unknown.StatusCode, Is.EqualTo(HttpStatusCode.NotFound));

        using var wrongMethod = await http.PostAsJsonAsync("/status", new { }).WaitAsync(Generous);
        Assert.That(wrongMethod.StatusCode, Is.EqualTo(HttpStatusCode.MethodNotAllowed));
        Assert.That(wrongMethod.Content.Headers.Allow, Is.EquivalentTo(AllowGet));

        using var notJson = await http.PutAsync("/displays/1", new StringContent("{ not json", System.Text.Encoding.UTF8, "application/json")).WaitAsync(Generous);
        Assert.That(notJson.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        await worker.StopAsync();
    }

    [Test]
    public async Task TheServerSeesWhichConnectionsAcceptCalls()
    {
        await using var host = await TestHost.StartAsync(encoding, map: app => app.MapGet("/hello", () => "hi"));
        using var worker = StartWorker(host);
        await worker.StartAsync();
        await ConnectThroughTheTypedClientAsync(worker);
        await host.ConnectAsync(o => o.Metadata["role"] = "plain");

        // The server lists a connection once its session started, which may be just after the client's handshake returned.
        using (var listed = new CancellationTokenSource(Generous))
        {
            while (host.Registry.Connections.Count < 2)
            {
                await Task.Delay(10, listed.Token);
            }
        }

        var byRole = host.Registry.Connections.ToDictionary(c => c.Metadata["role"], c => c.AcceptsCalls);
        Assert.That(byRole, Is.EqualTo(new Dictionary<string, bool> { ["kiosk"] = true, ["plain"] = false }));
        await worker.StopAsync();
    }

    /// <summary>A worker service: a typed client of the server, and two endpoints it serves to the server.</summary>
    private IHost StartWorker(TestHost host)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.ClearProviders();
        builder.Services.AddSingleton<Kiosk>();
        builder.Services.AddSingleton<ScopeLog>();
        builder.Services.AddScoped<RequestScope>();
        builder.Services.AddHttpClient<ServerApi>().AddWebSocketTransport(o =>
        {
            o.Endpoint = host.WsRestEndpoint;
            o.Encoding = encoding;
            o.Metadata["role"] = "kiosk";
            o.Endpoints
                .MapGet("/status", (request, _) => Task.FromResult(request.Services.GetRequiredService<RequestScope>().Kiosk.Status()))
                .MapPut<DisplayRequest, DisplayResult>("/displays/{screen}", (display, request, _) =>
                    Task.FromResult(request.Services.GetRequiredService<RequestScope>().Kiosk.Show(int.Parse(request.RouteValues["screen"], System.Globalization.CultureInfo.InvariantCulture), display.Text, request.Caller)));
        });
        return builder.Build();
    }

    private static async Task ConnectThroughTheTypedClientAsync(IHost worker)
    {
        // The connection opens with the worker's first call to the server, as in a real worker.
        var api = worker.Services.GetRequiredService<ServerApi>();
        Assert.That(await api.HelloAsync().WaitAsync(Generous), Is.EqualTo("hi"));
    }

    public sealed record KioskStatus(string Screen, int Changes);

    public sealed record DisplayRequest(string Text, int Seconds);

    public sealed record DisplayResult(int Screen, string Text, string? Caller);

    /// <summary>The worker's typed client of the server.</summary>
    public sealed class ServerApi(HttpClient http)
    {
        public Task<string> HelloAsync() => http.GetStringAsync("/hello");
    }

    /// <summary>The worker's state, a singleton the endpoints reach through DI.</summary>
    public sealed class Kiosk
    {
        private readonly Lock _lock = new();
        private string _screen = "idle";
        private int _changes;

        public KioskStatus Status()
        {
            lock (_lock)
            {
                return new KioskStatus(_screen, _changes);
            }
        }

        public DisplayResult Show(int screen, string text, string? caller)
        {
            lock (_lock)
            {
                _screen = $"showing '{text}' on {screen}";
                _changes++;
                return new DisplayResult(screen, text, caller);
            }
        }
    }

    public sealed class ScopeLog
    {
        private int _created;
        private int _disposed;

        public int Created => Volatile.Read(ref _created);

        public int Disposed => Volatile.Read(ref _disposed);

        public void OnCreated() => Interlocked.Increment(ref _created);

        public void OnDisposed() => Interlocked.Increment(ref _disposed);
    }

    /// <summary>A scoped service: one per served request, disposed with the request's scope.</summary>
    public sealed class RequestScope : IDisposable
    {
        private readonly ScopeLog _log;

        public RequestScope(Kiosk kiosk, ScopeLog log)
        {
            Kiosk = kiosk;
            _log = log;
            log.OnCreated();
        }

        public Kiosk Kiosk { get; }

        public void Dispose() => _log.OnDisposed();
    }
}
