using Microsoft.Extensions.DependencyInjection;
using WsRest.Client.Tests.Infrastructure;

namespace WsRest.Client.Tests;

/// <summary>Named and typed clients from <c>IHttpClientFactory</c> send over WsRest, sharing one connection per endpoint or per connection name.</summary>
[TestFixture]
public sealed class HttpClientFactoryTransportTests : ProbeServerTests
{
    [Test]
    public async Task ATypedClientSendsOverWsRest()
    {
        var builder = TestHost.CreateBuilder();
        builder.Services.AddHttpClient<ConnectionProbeClient>().AddWebSocketTransport(o => o.Endpoint = Probe.Endpoint);
        await using var host = await TestHost.StartAsync(builder);
        using var timeout = TestTimeout.Create();

        var id = await host.Get<ConnectionProbeClient>().GetConnectionIdAsync(timeout.Token);

        var connection = host.Get<IWsRestClientProvider>().GetClientForHttpClient(nameof(ConnectionProbeClient));
        using (Assert.EnterMultipleScope())
        {
            Assert.That(id, Does.Match("^[0-9a-f]{32}$"), "the request arrived over WsRest");
            Assert.That(id, Is.EqualTo(connection.ConnectionId));
            Assert.That(connection.State, Is.EqualTo(WsRestConnectionState.Connected));
            Assert.That(Probe.Upgrades, Is.EqualTo(1));
        }
    }

    [Test]
    public async Task NamedAndTypedClientsNamingTheSameEndpointShareOneConnection()
    {
        var builder = TestHost.CreateBuilder();
        builder.Services.AddHttpClient<ConnectionProbeClient>().AddWebSocketTransport(o => o.Endpoint = Probe.Endpoint);
        builder.Services.AddHttpClient("first").AddWebSocketTransport(o => o.Endpoint = Probe.Endpoint);
        builder.Services.AddHttpClient("second").AddWebSocketTransport(o => o.Endpoint = new Uri(Probe.Endpoint.ToString()));
        await using var host = await TestHost.StartAsync(builder);
        using var timeout = TestTimeout.Create();
        var factory = host.Get<IHttpClientFactory>();

        var ids = await Task.WhenAll(
            host.Get<ConnectionProbeClient>().GetConnectionIdAsync(timeout.Token),
            new ConnectionProbeClient(factory.CreateClient("first")).GetConnectionIdAsync(timeout.Token),
            new ConnectionProbeClient(factory.CreateClient("second")).GetConnectionIdAsync(timeout.Token),
            new ConnectionProbeClient(factory.CreateClient("second")).GetConnectionIdAsync(timeout.Token));

        var provider = host.Get<IWsRestClientProvider>();
        var shared = provider.GetClient(Probe.Endpoint.AbsoluteUri);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(ids, Is.All.EqualTo(shared.ConnectionId));
            Assert.That(provider.GetClientForHttpClient("first"), Is.SameAs(shared));
            Assert.That(provider.GetClientForHttpClient("second"), Is.SameAs(shared));
            Assert.That(provider.GetClientForHttpClient(nameof(ConnectionProbeClient)), Is.SameAs(shared));
            Assert.That(Probe.Upgrades, Is.EqualTo(1));
        }
    }

    [Test]
    public async Task TheGenericOverloadFindsATypedClientsConnectionByItsType()
    {
        var builder = TestHost.CreateBuilder();
        builder.Services.AddHttpClient<ConnectionProbeClient>().AddWebSocketTransport(o => o.Endpoint = Probe.Endpoint);
        builder.Services.AddHttpClient<GenericProbeClient<int>>().AddWebSocketTransport("generic", o => o.Endpoint = Probe.Endpoint);
        await using var host = await TestHost.StartAsync(builder);
        var provider = host.Get<IWsRestClientProvider>();

        using (Assert.EnterMultipleScope())
        {
            Assert.That(provider.GetClientForHttpClient<ConnectionProbeClient>(), Is.SameAs(provider.GetClientForHttpClient(nameof(ConnectionProbeClient))));
            Assert.That(provider.GetClientForHttpClient<GenericProbeClient<int>>(), Is.SameAs(provider.GetClient("generic")), "named as AddHttpClient<TClient> names it: GenericProbeClient<int>");
            Assert.That(() => provider.GetClientForHttpClient<HttpClientFactoryTransportTests>(), Throws.InvalidOperationException);
        }
    }

    [Test]
    public async Task ANamedConnectionIsSharedByTheClientsThatNameItAndByNoOther()
    {
        var builder = TestHost.CreateBuilder();
        builder.Services.AddWsRestClient("inventory").Configure(o => o.Endpoint = Probe.Endpoint);
        builder.Services.AddHttpClient("a").AddWebSocketTransport("inventory");
        builder.Services.AddHttpClient<ConnectionProbeClient>().AddWebSocketTransport("inventory");
        builder.Services.AddHttpClient("reporting").AddWebSocketTransport("reporting", o => o.Endpoint = Probe.Endpoint);
        await using var host = await TestHost.StartAsync(builder);
        using var timeout = TestTimeout.Create();
        var factory = host.Get<IHttpClientFactory>();

        var inventory = await Task.WhenAll(
            new ConnectionProbeClient(factory.CreateClient("a")).GetConnectionIdAsync(timeout.Token),
            host.Get<ConnectionProbeClient>().GetConnectionIdAsync(timeout.Token));
        var reporting = await new ConnectionProbeClient(factory.CreateClient("reporting")).GetConnectionIdAsync(timeout.Token);

        var provider = host.Get<IWsRestClientProvider>();
        using (Assert.EnterMultipleScope())
        {
            Assert.That(inventory, Is.All.EqualTo(provider.GetClient("inventory").ConnectionId));
            Assert.That(reporting, Is.EqualTo(provider.GetClient("reporting").ConnectionId));
            Assert.That(reporting, Is.Not.EqualTo(inventory[0]));
            Assert.That(Probe.Upgrades, Is.EqualTo(2));
        }
    }

    [Test]
    public async Task MetadataFromTheOptionsReachesTheServer()
    {
        var builder = TestHost.CreateBuilder();
        builder.Services.AddHttpClient<ConnectionProbeClient>().AddWebSocketTransport(o =>
        {
            o.Endpoint = Probe.Endpoint;
            o.Metadata["app"] = "inventory";
        });
        await using var host = await TestHost.StartAsync(builder);
        using var timeout = TestTimeout.Create();

        var id = await host.Get<ConnectionProbeClient>().GetConnectionIdAsync(timeout.Token);

        Assert.That(Probe.Metadata[id], Does.ContainKey("app").WithValue("inventory"));
    }

    [Test]
    public async Task WithoutABaseAddressTheClientGetsTheEndpointsHttpOrigin()
    {
        var builder = TestHost.CreateBuilder();
        builder.Services.AddHttpClient("plain-ws").AddWebSocketTransport(o => o.Endpoint = new Uri("ws://inventory.example:5000/wsrest?x=1"));
        builder.Services.AddHttpClient("tls").AddWebSocketTransport(o => o.Endpoint = new Uri("wss://inventory.example/wsrest"));
        builder.Services.AddHttpClient("explicit", c => c.BaseAddress = new Uri("http://api.example/v2/"))
            .AddWebSocketTransport(o => o.Endpoint = new Uri("ws://inventory.example:5000/wsrest"));
        await using var host = await TestHost.StartAsync(builder);
        var factory = host.Get<IHttpClientFactory>();

        using var plain = factory.CreateClient("plain-ws");
        using var tls = factory.CreateClient("tls");
        using var explicitBase = factory.CreateClient("explicit");

        using (Assert.EnterMultipleScope())
        {
            Assert.That(plain.BaseAddress, Is.EqualTo(new Uri("http://inventory.example:5000/")));
            Assert.That(tls.BaseAddress, Is.EqualTo(new Uri("https://inventory.example/")));
            Assert.That(explicitBase.BaseAddress, Is.EqualTo(new Uri("http://api.example/v2/")), "a base address the app set is kept");
        }
    }

    [Test]
    public async Task NothingConnectsBeforeTheFirstRequest()
    {
        var builder = TestHost.CreateBuilder();
        builder.Services.AddHttpClient<ConnectionProbeClient>().AddWebSocketTransport(o => o.Endpoint = Probe.Endpoint);
        await using var host = await TestHost.StartAsync(builder);

        var client = host.Get<ConnectionProbeClient>();
        var connection = host.Get<IWsRestClientProvider>().GetClientForHttpClient(nameof(ConnectionProbeClient));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(client, Is.Not.Null);
            Assert.That(connection.State, Is.EqualTo(WsRestConnectionState.Disconnected));
            Assert.That(Probe.Upgrades, Is.Zero);
        }
    }
}

/// <summary>A generic typed client: <c>AddHttpClient</c> names it with its type arguments.</summary>
public sealed class GenericProbeClient<T>(HttpClient http)
{
    public HttpClient Http { get; } = http;
}
