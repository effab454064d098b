using Microsoft.Extensions.DependencyInjection;
using WsRest.Client.Tests.Infrastructure;

namespace WsRest.Client.Tests;

/// <summary>The container owns the shared connections; the provider explains what it cannot find.</summary>
[TestFixture]
public sealed class ClientLifetimeTests : ProbeServerTests
{
    [Test]
    public async Task DisposingTheHostClosesTheConnection()
    {
        var builder = TestHost.CreateBuilder();
        builder.Services.AddHttpClient<ConnectionProbeClient>().AddWebSocketTransport(o => o.Endpoint = Probe.Endpoint);
        var host = await TestHost.StartAsync(builder);
        using var timeout = TestTimeout.Create();
        await host.Get<ConnectionProbeClient>().GetConnectionIdAsync(timeout.Token);
        var provider = host.Get<IWsRestClientProvider>();
        var connection = provider.GetClientForHttpClient(nameof(ConnectionProbeClient));
        Assert.That(Probe.Registry.Count, Is.EqualTo(1));

        await host.DisposeAsync();

        using (Assert.EnterMultipleScope())
        {
            Assert.That(connection.State, Is.EqualTo(WsRestConnectionState.Closed));
            Assert.That(() => provider.GetClient(Probe.Endpoint.AbsoluteUri), Throws.InstanceOf<ObjectDisposedException>());
        }

        await WaitUntilAsync(() => Probe.Registry.Count == 0, timeout.Token);
    }

    [Test]
    public async Task ASynchronouslyDisposedServiceProviderClosesTheConnectionToo()
    {
        var services = new ServiceCollection();
        services.AddHttpClient<ConnectionProbeClient>().AddWebSocketTransport(o => o.Endpoint = Probe.Endpoint);
        var provider = services.BuildServiceProvider();
        using var timeout = TestTimeout.Create();
        await provider.GetRequiredService<ConnectionProbeClient>().GetConnectionIdAsync(timeout.Token);
        var connection = provider.GetRequiredService<IWsRestClientProvider>().GetClientForHttpClient(nameof(ConnectionProbeClient));

        provider.Dispose();

        Assert.That(connection.State, Is.EqualTo(WsRestConnectionState.Closed));
    }

    [Test]
    public async Task TheProviderNamesWhatIsMissing()
    {
        var builder = TestHost.CreateBuilder();
        builder.Services.AddHttpClient("plain");
        builder.Services.AddHttpClient<ConnectionProbeClient>().AddWebSocketTransport(o => o.Endpoint = Probe.Endpoint);
        await using var host = await TestHost.StartAsync(builder);
        var provider = host.Get<IWsRestClientProvider>();

        using (Assert.EnterMultipleScope())
        {
            Assert.That(() => provider.GetClient("inventory"), Throws.InvalidOperationException.With.Message.Contains("No WsRest connection named 'inventory' is registered"));
            Assert.That(() => provider.GetClient("ws://127.0.0.1:1/other"), Throws.InvalidOperationException);
            Assert.That(() => provider.GetClientForHttpClient("plain"), Throws.InvalidOperationException.With.Message.Contains("The HttpClient 'plain' does not send over WsRest"));
            Assert.That(provider.GetClient(Probe.Endpoint.ToString()), Is.SameAs(provider.GetClientForHttpClient(nameof(ConnectionProbeClient))));
        }
    }

    [Test]
    public async Task ClientsThatShareAnEndpointButDifferInOptionsAreAnError()
    {
        var builder = TestHost.CreateBuilder();
        builder.Services.AddHttpClient("first").AddWebSocketTransport(o => o.Endpoint = Probe.Endpoint);
        builder.Services.AddHttpClient("second").AddWebSocketTransport(o =>
        {
            o.Endpoint = Probe.Endpoint;
            o.Metadata["app"] = "other";
        });
        await using var host = await TestHost.StartAsync(builder);
        var factory = host.Get<IHttpClientFactory>();
        using var first = factory.CreateClient("first");

        Assert.That(() => factory.CreateClient("second"), Throws.InvalidOperationException
            .With.Message.Contains("The HttpClients 'first' and 'second' both send to " + Probe.Endpoint.AbsoluteUri)
            .And.Message.Contains("AddWebSocketTransport(\"name\", ...)"));
    }

    [Test]
    public void AConnectionNameThatIsAlsoAnHttpClientsOwnOptionsNameIsRefused()
    {
        var services = new ServiceCollection();
        services.AddHttpClient("inventory").AddWebSocketTransport(o => o.Endpoint = Probe.Endpoint);

        Assert.That(() => services.AddWsRestClient("inventory"), Throws.InvalidOperationException.With.Message.Contains("'inventory' is both a WsRest connection name and the name of an HttpClient"));
        Assert.That(() => services.AddHttpClient("other").AddWebSocketTransport("inventory"), Throws.InvalidOperationException);

        var reversed = new ServiceCollection();
        reversed.AddWsRestClient("inventory");
        Assert.That(() => reversed.AddHttpClient("inventory").AddWebSocketTransport(o => o.Endpoint = Probe.Endpoint), Throws.InvalidOperationException);
    }

    private static async Task WaitUntilAsync(Func<bool> condition, CancellationToken cancellationToken)
    {
        while (!condition())
        {
            await Task.Delay(20, cancellationToken);
        }
    }
}
