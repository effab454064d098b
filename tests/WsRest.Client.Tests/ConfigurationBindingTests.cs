using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using WsRest.Client.Tests.Infrastructure;

namespace WsRest.Client.Tests;

/// <summary>Options bind from configuration: Endpoint as a string, Metadata as a section, sizes and timeouts as values.</summary>
[TestFixture]
public sealed class ConfigurationBindingTests : ProbeServerTests
{
    [Test]
    public async Task AnHttpClientsOptionsBindFromAConfigurationSection()
    {
        var builder = TestHost.CreateBuilder(Section("WsRest:PetStore"));
        builder.Services.AddHttpClient<ConnectionProbeClient>()
            .AddWebSocketTransport(builder.Configuration.GetSection("WsRest:PetStore"));
        await using var host = await TestHost.StartAsync(builder);
        using var timeout = TestTimeout.Create();

        var id = await host.Get<ConnectionProbeClient>().GetConnectionIdAsync(timeout.Token);

        AssertBound(host.Get<IOptionsMonitor<WsRestClientOptions>>().Get(nameof(ConnectionProbeClient)));
        Assert.That(Probe.Metadata[id], Is.EquivalentTo(new Dictionary<string, string> { ["app"] = "inventory", ["version"] = "1.4.2" }));
    }

    [Test]
    public async Task ANamedConnectionBindsWithBindConfiguration()
    {
        var builder = TestHost.CreateBuilder(Section("WsRest:PetStore"));
        builder.Services.AddWsRestClient("petstore").BindConfiguration("WsRest:PetStore");
        builder.Services.AddHttpClient<ConnectionProbeClient>().AddWebSocketTransport("petstore");
        await using var host = await TestHost.StartAsync(builder);
        using var timeout = TestTimeout.Create();

        var id = await host.Get<ConnectionProbeClient>().GetConnectionIdAsync(timeout.Token);

        AssertBound(host.Get<IOptionsMonitor<WsRestClientOptions>>().Get("petstore"));
        using (Assert.EnterMultipleScope())
        {
            Assert.That(id, Is.EqualTo(host.Get<IWsRestClientProvider>().GetClient("petstore").ConnectionId));
            Assert.That(Probe.Metadata[id], Does.ContainKey("app").WithValue("inventory"));
        }
    }

    [Test]
    public async Task TheConfigureCallbackRunsAfterBinding()
    {
        var builder = TestHost.CreateBuilder(Section("WsRest:PetStore"));
        builder.Services.AddHttpClient<ConnectionProbeClient>()
            .AddWebSocketTransport(builder.Configuration.GetSection("WsRest:PetStore"), o => o.Metadata["version"] = "2.0");
        await using var host = await TestHost.StartAsync(builder);

        var options = host.Get<IOptionsMonitor<WsRestClientOptions>>().Get(nameof(ConnectionProbeClient));

        Assert.That(options.Metadata, Does.ContainKey("version").WithValue("2.0"));
    }

    [Test]
    public async Task ClientsBoundToTheSameSectionShareTheirEndpointsConnection()
    {
        await using var host = await StartWithTwoClientsOnOneSectionAsync(Section("WsRest:PetStore"));
        var ids = await ConnectionIdsOfBothClientsAsync(host);

        Assert.That(ids[1], Is.EqualTo(ids[0]));
        Assert.That(Probe.Upgrades, Is.EqualTo(1));
    }

    [Test]
    public async Task DeflateOptionsBindFromConfigurationAndClientsOnTheSameSectionStillShareTheirConnection()
    {
        var settings = Section("WsRest:PetStore");
        settings["WsRest:PetStore:DeflateOptions:ClientMaxWindowBits"] = "12";
        settings["WsRest:PetStore:DeflateOptions:ServerContextTakeover"] = "false";
        await using var host = await StartWithTwoClientsOnOneSectionAsync(settings);

        // Each client's options get their own bound WebSocketDeflateOptions object: equal values must
        // still count as the same options, or the two clients could not share the endpoint's connection.
        var ids = await ConnectionIdsOfBothClientsAsync(host);

        var deflate = host.Get<IOptionsMonitor<WsRestClientOptions>>().Get(nameof(ConnectionProbeClient)).DeflateOptions;
        using (Assert.EnterMultipleScope())
        {
            Assert.That(deflate, Is.Not.Null);
            Assert.That(deflate!.ClientMaxWindowBits, Is.EqualTo(12));
            Assert.That(deflate.ServerContextTakeover, Is.False);
            Assert.That(deflate.ServerMaxWindowBits, Is.EqualTo(15), "unset keys keep the BCL's defaults");
            Assert.That(ids[1], Is.EqualTo(ids[0]));
            Assert.That(Probe.Upgrades, Is.EqualTo(1));
        }
    }

    [Test]
    public async Task WithoutADeflateSectionCompressionIsNotOffered()
    {
        var builder = TestHost.CreateBuilder(Section("WsRest:PetStore"));
        builder.Services.AddHttpClient<ConnectionProbeClient>().AddWebSocketTransport(builder.Configuration.GetSection("WsRest:PetStore"));
        await using var host = await TestHost.StartAsync(builder);

        Assert.That(host.Get<IOptionsMonitor<WsRestClientOptions>>().Get(nameof(ConnectionProbeClient)).DeflateOptions, Is.Null);
    }

    /// <summary>A typed and a named client bound to the same section "WsRest:PetStore".</summary>
    private static Task<TestHost> StartWithTwoClientsOnOneSectionAsync(Dictionary<string, string?> settings)
    {
        var builder = TestHost.CreateBuilder(settings);
        var section = builder.Configuration.GetSection("WsRest:PetStore");
        builder.Services.AddHttpClient<ConnectionProbeClient>().AddWebSocketTransport(section);
        builder.Services.AddHttpClient("admin").AddWebSocketTransport(section);
        return TestHost.StartAsync(builder);
    }

    /// <summary>The server-assigned connection id each of the two clients' requests arrived on.</summary>
    private static async Task<string[]> ConnectionIdsOfBothClientsAsync(TestHost host)
    {
        using var timeout = TestTimeout.Create();
        return await Task.WhenAll(
            host.Get<ConnectionProbeClient>().GetConnectionIdAsync(timeout.Token),
            new ConnectionProbeClient(host.Get<IHttpClientFactory>().CreateClient("admin")).GetConnectionIdAsync(timeout.Token));
    }

    private Dictionary<string, string?> Section(string path) => new()
    {
        [$"{path}:Endpoint"] = Probe.Endpoint.ToString(),
        [$"{path}:Metadata:app"] = "inventory",
        [$"{path}:Metadata:version"] = "1.4.2",
        [$"{path}:MaxMessageSize"] = "65536",
        [$"{path}:ConnectTimeout"] = "00:00:05",
        [$"{path}:KeepAliveInterval"] = "00:00:03",
    };

    private void AssertBound(WsRestClientOptions options)
    {
        using (Assert.EnterMultipleScope())
        {
            Assert.That(options.Endpoint, Is.EqualTo(Probe.Endpoint));
            Assert.That(options.Metadata, Does.ContainKey("app").WithValue("inventory"));
            Assert.That(options.MaxMessageSize, Is.EqualTo(65536));
            Assert.That(options.ConnectTimeout, Is.EqualTo(TimeSpan.FromSeconds(5)));
            Assert.That(options.KeepAliveInterval, Is.EqualTo(TimeSpan.FromSeconds(3)));
            Assert.That(options.HandshakeTimeout, Is.EqualTo(TimeSpan.FromSeconds(10)), "unset keys keep their defaults");
        }
    }
}
