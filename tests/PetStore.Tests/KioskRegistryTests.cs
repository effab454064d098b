using System.Net;
using System.Net.Http.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using PetStore.Api;
using PetStore.Kiosk;
using WsRest.Client;
using WsRest.Server;

namespace PetStore.Tests;

/// <summary>
/// Kiosks seen from inside the server: its own PetStore server (so the tests hold its
/// <see cref="WsRestConnectionRegistry"/>), kiosks and other clients connected to it, calls made
/// straight through the registry as well as through the <c>/kiosks</c> API.
/// </summary>
[TestFixture]
public sealed class KioskRegistryTests : IDisposable
{
    private WebApplication? _server;
    private HttpClient? _http;

    private WebApplication Server => _server ?? throw new InvalidOperationException("The fixture is not set up.");

    private WsRestConnectionRegistry Registry => Server.Services.GetRequiredService<WsRestConnectionRegistry>();

    private HttpClient Http => _http ?? throw new InvalidOperationException("The fixture is not set up.");

    private Uri WsRestEndpoint => PetStoreApp.GetWsRestEndpoint(PetStoreApp.GetBaseAddress(Server));

    [OneTimeSetUp]
    public async Task StartServerAsync()
    {
        using var timeout = TestTimeout.Create();
        _server = await PetStoreApp.StartAsync("http://127.0.0.1:0", builder => builder.Logging.SetMinimumLevel(LogLevel.Warning), timeout.Token);
        _http = new HttpClient { BaseAddress = PetStoreApp.GetBaseAddress(_server), Timeout = TestTimeout.Value };
    }

    [OneTimeTearDown]
    public async Task StopServerAsync()
    {
        if (_server is { } server)
        {
            using var timeout = TestTimeout.Create();
            await server.StopAsync(timeout.Token);
            await server.DisposeAsync();
            _server = null;
        }
    }

    /// <summary>Disposes the HTTP client (NUnit calls it once the fixture is done).</summary>
    public void Dispose()
    {
        _http?.Dispose();
        _http = null;
    }

    [Test]
    public void TheServerCallsAsTheOneCallerTheKioskTrusts()
    {
        var options = Server.Services.GetRequiredService<IOptions<WsRestServerOptions>>().Value;
        using (Assert.EnterMultipleScope())
        {
            Assert.That(options.ServerName, Is.EqualTo(KioskEndpoints.ServerName));
            Assert.That(KioskApp.TrustedCaller, Is.EqualTo(options.ServerName));
        }
    }

    [Test]
    public async Task OnlyConnectionsThatAnnounceTheKioskRoleAreListedOrCalled()
    {
        using var timeout = TestTimeout.Create();
        var printerCalls = 0;
        var printerOptions = new WsRestClientOptions { Endpoint = WsRestEndpoint };
        printerOptions.Metadata[KioskEndpoints.RoleKey] = "printer";
        printerOptions.Metadata[KioskEndpoints.NameKey] = "back-office";
        printerOptions.HandleRequests((_, _) =>
        {
            Interlocked.Increment(ref printerCalls);
            return Task.FromResult(new HttpResponseMessage(HttpStatusCode.OK) { Content = new StringContent("""{"name":"x","screen":"x","uptimeSeconds":1,"servedBy":"x"}""") });
        });
        await using var printer = new WsRestClient(printerOptions);
        await using var plain = new WsRestClient(new WsRestClientOptions { Endpoint = WsRestEndpoint });
        await printer.ConnectAsync(timeout.Token);
        await plain.ConnectAsync(timeout.Token);
        await using var kiosk = await TestKiosk.StartAsync(WsRestEndpoint, timeout.Token);
        await RegisteredAsync([printer.ConnectionId!, plain.ConnectionId!, kiosk.Id], timeout.Token);

        var kiosks = await KioskListing.GetAsync(Http, timeout.Token);
        using var printerStatus = await Http.GetAsync($"kiosks/{printer.ConnectionId}/status", timeout.Token);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(kiosks.Select(k => k.Id), Does.Contain(kiosk.Id));
            Assert.That(kiosks.Select(k => k.Id), Does.Not.Contain(printer.ConnectionId).And.Not.Contain(plain.ConnectionId));
            Assert.That(kiosks.Single(k => k.Id == kiosk.Id).Name, Is.EqualTo(kiosk.Name));
        }

        await Problems.ReadAsync(printerStatus, HttpStatusCode.NotFound, timeout.Token);
        Assert.That(printerCalls, Is.Zero, "the server never calls a connection that is not a kiosk");
    }

    [Test]
    public async Task AStrangerMayReadTheStatusButTheKioskRefusesItTheDisplay()
    {
        using var timeout = TestTimeout.Create();
        await using var kiosk = await TestKiosk.StartAsync(WsRestEndpoint, timeout.Token);
        await RegisteredAsync([kiosk.Id], timeout.Token);
        using var http = Registry.CreateHttpClient(kiosk.Id);

        using var strangerPut = AsCaller(new HttpRequestMessage(HttpMethod.Put, "/display") { Content = new StringContent("hacked") }, "stranger");
        using var refused = await http.SendAsync(strangerPut, timeout.Token);
        using var strangerGet = AsCaller(new HttpRequestMessage(HttpMethod.Get, "/status"), "stranger");
        using var strangerStatus = await http.SendAsync(strangerGet, timeout.Token);
        var seenByStranger = await strangerStatus.Content.ReadFromJsonAsync(KioskJsonContext.Default.KioskStatus, timeout.Token);

        await Problems.ReadAsync(refused, HttpStatusCode.Forbidden, timeout.Token);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(strangerStatus.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(seenByStranger!.ServedBy, Is.EqualTo("stranger"), "the kiosk sees who calls");
            Assert.That(seenByStranger.Screen, Is.EqualTo(KioskApp.InitialScreen), "the refused call changed nothing");
        }

        // The same call as the server itself (no caller named: WsRestServerOptions.ServerName) is allowed.
        using var allowed = await http.PutAsync("/display", new StringContent("from the store"), timeout.Token);
        var seenByServer = await http.GetFromJsonAsync("/status", KioskJsonContext.Default.KioskStatus, timeout.Token);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(allowed.StatusCode, Is.EqualTo(HttpStatusCode.NoContent));
            Assert.That(seenByServer!.Screen, Is.EqualTo("from the store"));
            Assert.That(seenByServer.ServedBy, Is.EqualTo(KioskEndpoints.ServerName));
        }
    }

    [Test]
    public async Task TheKioskItselfRefusesTextLongerThanItsScreen()
    {
        using var timeout = TestTimeout.Create();
        await using var kiosk = await TestKiosk.StartAsync(WsRestEndpoint, timeout.Token);
        await RegisteredAsync([kiosk.Id], timeout.Token);
        using var http = Registry.CreateHttpClient(kiosk.Id);

        using var tooLong = await http.PutAsync("/display", new StringContent(new string('x', KioskApp.MaxDisplayLength + 1)), timeout.Token);
        using var longest = await http.PutAsync("/display", new StringContent(new string('y', KioskApp.MaxDisplayLength)), timeout.Token);
        var status = await http.GetFromJsonAsync("/status", KioskJsonContext.Default.KioskStatus, timeout.Token);

        var problem = await Problems.ReadAsync(tooLong, HttpStatusCode.BadRequest, timeout.Token);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(Problems.ErrorFields(problem), Is.EqualTo((string[])["text"]));
            Assert.That(longest.StatusCode, Is.EqualTo(HttpStatusCode.NoContent));
            Assert.That(status!.Screen, Is.EqualTo(new string('y', KioskApp.MaxDisplayLength)));
        }
    }

    [Test]
    public async Task AKioskTheRegistryHasDroppedIsA404AndItsConnectionFailsAtOnce()
    {
        using var timeout = TestTimeout.Create();
        await using var events = Registry.WatchAsync(timeout.Token).GetAsyncEnumerator(timeout.Token);
        await using var kiosk = await TestKiosk.StartAsync(WsRestEndpoint, timeout.Token);
        await RegisteredAsync([kiosk.Id], timeout.Token);
        using var direct = Registry.CreateHttpClient(kiosk.Id);

        await kiosk.StopAsync(timeout.Token);
        while (await events.MoveNextAsync() && !(events.Current.Connection.Id == kiosk.Id && events.Current.Kind != WsRestConnectionEventKind.Connected))
        {
        }

        using var status = await Http.GetAsync($"kiosks/{kiosk.Id}/status", timeout.Token);
        var kiosks = await KioskListing.GetAsync(Http, timeout.Token);
        var error = Assert.CatchAsync<HttpRequestException>(() => direct.GetAsync("/status", timeout.Token));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(events.Current.Kind, Is.EqualTo(WsRestConnectionEventKind.Closed), events.Current.Error?.ToString());
            Assert.That(kiosks.Select(k => k.Id), Does.Not.Contain(kiosk.Id));
            Assert.That(error!.HttpRequestError, Is.EqualTo(HttpRequestError.ConnectionError));
        }

        var problem = await Problems.ReadAsync(status, HttpStatusCode.NotFound, timeout.Token);
        Assert.That(problem.GetProperty("title").GetString(), Is.EqualTo("Kiosk not found"));
    }

    [Test]
    public async Task AKioskThatDisconnectsDuringTheCallIsA404()
    {
        using var timeout = TestTimeout.Create();
        var called = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var kiosk = await ConnectFakeKioskAsync(async (_, ct) =>
        {
            called.TrySetResult();
            await Task.Delay(Timeout.Infinite, ct);
            return new HttpResponseMessage(HttpStatusCode.OK);
        }, timeout.Token);

        var call = Http.GetAsync($"kiosks/{kiosk.ConnectionId}/status", timeout.Token);
        await called.Task.WaitAsync(timeout.Token);
        Assert.That(Registry.TryGetConnection(kiosk.ConnectionId!, out var connection), Is.True);
        connection!.Abort();
        using var response = await call;

        var problem = await Problems.ReadAsync(response, HttpStatusCode.NotFound, timeout.Token);
        Assert.That(problem.GetProperty("detail").GetString(), Is.EqualTo($"Kiosk '{kiosk.ConnectionId}' disconnected."), "the call failed in flight, not at the look-up");
    }

    [TestCase(HttpStatusCode.InternalServerError, "text/plain", "boom", "answered 500")]
    [TestCase(HttpStatusCode.Forbidden, "text/plain", "", "refused the store's call")]
    [TestCase(HttpStatusCode.OK, "application/json", "not json", "not the JSON")]
    [TestCase(HttpStatusCode.OK, "application/json", "{}", "incomplete")]
    public async Task AKioskAnswerTheServerCannotUseIsA502Problem(HttpStatusCode status, string mediaType, string body, string expected)
    {
        using var timeout = TestTimeout.Create();
        await using var kiosk = await ConnectFakeKioskAsync((_, _) => Task.FromResult(new HttpResponseMessage(status)
        {
            Content = new StringContent(body, System.Text.Encoding.UTF8, mediaType),
        }), timeout.Token);

        using var response = await Http.GetAsync($"kiosks/{kiosk.ConnectionId}/status", timeout.Token);

        var problem = await Problems.ReadAsync(response, HttpStatusCode.BadGateway, timeout.Token);
        Assert.That(problem.GetProperty("detail").GetString(), Does.Contain(expected));
    }

    /// <summary>A client that announces itself as a kiosk but answers with <paramref name="handler"/>; registered when this returns.</summary>
    private async Task<WsRestClient> ConnectFakeKioskAsync(Func<HttpRequestMessage, CancellationToken, Task<HttpResponseMessage>> handler, CancellationToken cancellationToken)
    {
        var options = new WsRestClientOptions { Endpoint = WsRestEndpoint };
        options.Metadata[KioskEndpoints.RoleKey] = KioskEndpoints.Role;
        options.Metadata[KioskEndpoints.NameKey] = "fake";
        options.Reconnect.Enabled = false;
        options.HandleRequests(handler);
        var client = new WsRestClient(options);
        try
        {
            await client.ConnectAsync(cancellationToken);
            await RegisteredAsync([client.ConnectionId!], cancellationToken);
            return client;
        }
        catch
        {
            await client.DisposeAsync();
            throw;
        }
    }

    private static HttpRequestMessage AsCaller(HttpRequestMessage request, string caller)
    {
        request.Options.Set(WsRestRequestOptions.Caller, caller);
        return request;
    }

    /// <summary>
    /// A client's connect returns once its handshake is sent; the registry lists the connection once the
    /// server has read it. Waits (bounded by <paramref name="cancellationToken"/>) until all are listed.
    /// </summary>
    private async Task RegisteredAsync(IReadOnlyList<string> ids, CancellationToken cancellationToken)
    {
        while (!ids.All(id => Registry.TryGetConnection(id, out _)))
        {
            await Task.Delay(10, cancellationToken);
        }
    }
}
