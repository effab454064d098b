using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using WsRest.Client.Tests.Infrastructure;

namespace WsRest.Client.Tests;

/// <summary>Invalid options stop the host at start (<c>ValidateOnStart</c>) with messages that name the connection and the setting.</summary>
[TestFixture]
public sealed class OptionsValidationTests
{
    private const string Section = "WsRest:PetStore";

    [TestCase(null, "Endpoint is required")]
    [TestCase("", "Endpoint is required")]
    [TestCase("/wsrest", "Endpoint '/wsrest' is relative")]
    [TestCase("http://127.0.0.1:5000/wsrest", "has the scheme 'http'; it must be ws:// or wss://")]
    public async Task ABadEndpointInConfigurationFailsTheStart(string? endpoint, string expected)
    {
        var builder = TestHost.CreateBuilder(new Dictionary<string, string?>
        {
            [$"{Section}:Endpoint"] = endpoint,
            [$"{Section}:Metadata:app"] = "inventory",
        });
        builder.Services.AddHttpClient<ConnectionProbeClient>().AddWebSocketTransport(builder.Configuration.GetSection(Section));

        var error = Assert.ThrowsAsync<OptionsValidationException>(() => TestHost.StartAsync(builder));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(error!.OptionsName, Is.EqualTo(nameof(ConnectionProbeClient)));
            Assert.That(error.Message, Does.Contain($"WsRest options of HttpClient 'ConnectionProbeClient' (configuration section '{Section}'): "));
            Assert.That(error.Message, Does.Contain(expected));
        }
    }

    [Test]
    public void EveryBadSizeIsReportedAtOnce()
    {
        var builder = TestHost.CreateBuilder(new Dictionary<string, string?>
        {
            [$"{Section}:Endpoint"] = "ws://127.0.0.1:5000/wsrest",
            [$"{Section}:MaxMessageSize"] = "100",
            [$"{Section}:InitialStreamWindowSize"] = "0",
            [$"{Section}:HandshakeTimeout"] = "-00:00:01",
        });
        builder.Services.AddWsRestClient("petstore").BindConfiguration(Section);

        var error = Assert.ThrowsAsync<OptionsValidationException>(() => TestHost.StartAsync(builder));

        Assert.That(error!.Failures, Is.EquivalentTo((string[])
        [
            "WsRest connection 'petstore': MaxMessageSize is 100; it must be at least 4096 bytes.",
            "WsRest connection 'petstore': InitialStreamWindowSize is 0; it must be positive.",
            "WsRest connection 'petstore': HandshakeTimeout is -00:00:01; it must be positive (or infinite).",
        ]));
    }

    [Test]
    public void AnOutOfRangeDeflateWindowInConfigurationFailsTheStartNamingTheKey()
    {
        var builder = TestHost.CreateBuilder(new Dictionary<string, string?>
        {
            [$"{Section}:Endpoint"] = "ws://127.0.0.1:5000/wsrest",
            [$"{Section}:DeflateOptions:ClientMaxWindowBits"] = "20",
        });
        builder.Services.AddWsRestClient("petstore").BindConfiguration(Section);

        // WebSocketDeflateOptions checks its own range in its setters, so binding itself fails the start,
        // before any validator runs; what matters is that the start fails and names the key.
        var error = Assert.CatchAsync(() => TestHost.StartAsync(builder));

        Assert.That(error!.GetBaseException(), Is.InstanceOf<ArgumentOutOfRangeException>()
            .With.Property(nameof(ArgumentOutOfRangeException.ParamName)).EqualTo("ClientMaxWindowBits"));
    }

    [Test]
    public void AMissingEndpointInCodeFailsTheStart()
    {
        var builder = TestHost.CreateBuilder();
        builder.Services.AddHttpClient("inventory").AddWebSocketTransport("inventory", o => o.Metadata["app"] = "inventory");

        var error = Assert.ThrowsAsync<OptionsValidationException>(() => TestHost.StartAsync(builder));

        Assert.That(error!.Message, Does.StartWith("WsRest connection 'inventory': Endpoint is required: the absolute ws:// or wss:// URI of the server's WsRest endpoint, e.g. ws://localhost:5000/wsrest."));
    }

    [Test]
    public void AValueThatIsNotANumberFailsTheStartNamingTheKey()
    {
        var builder = TestHost.CreateBuilder(new Dictionary<string, string?>
        {
            [$"{Section}:Endpoint"] = "ws://127.0.0.1:5000/wsrest",
            [$"{Section}:MaxMessageSize"] = "1 MiB",
        });
        builder.Services.AddHttpClient<ConnectionProbeClient>().AddWebSocketTransport(builder.Configuration.GetSection(Section));

        var error = Assert.ThrowsAsync<InvalidOperationException>(() => TestHost.StartAsync(builder));

        Assert.That(error!.Message, Does.Contain($"{Section}:MaxMessageSize"));
    }

    [Test]
    public async Task OptionsOfOtherNamesAreNotValidated()
    {
        var builder = TestHost.CreateBuilder();
        builder.Services.AddHttpClient<ConnectionProbeClient>().AddWebSocketTransport(o => o.Endpoint = new Uri("ws://127.0.0.1:5000/wsrest"));
        await using var host = await TestHost.StartAsync(builder);

        var unrelated = host.Get<IOptionsMonitor<WsRestClientOptions>>().Get("not-a-wsrest-client");

        Assert.That(unrelated.Endpoint, Is.Null);
    }
}
