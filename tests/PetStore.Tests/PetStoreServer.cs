using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Logging;
using PetStore.Api;

namespace PetStore.Tests;

/// <summary>Starts one PetStore API on real Kestrel (127.0.0.1, a free port) for every test in the namespace.</summary>
[SetUpFixture]
public sealed class PetStoreServer
{
    private static WebApplication? s_app;

    /// <summary>The plain HTTP base address, e.g. http://127.0.0.1:41234/.</summary>
    public static Uri BaseAddress { get; private set; } = null!;

    /// <summary>The WsRest endpoint, e.g. ws://127.0.0.1:41234/wsrest.</summary>
    public static Uri WsRestEndpoint { get; private set; } = null!;

    /// <summary>Starts the server.</summary>
    [OneTimeSetUp]
    public async Task StartAsync()
    {
        using var timeout = TestTimeout.Create();
        s_app = await PetStoreApp.StartAsync(
            "http://127.0.0.1:0",
            builder => builder.Logging.SetMinimumLevel(LogLevel.Warning),
            timeout.Token);
        BaseAddress = PetStoreApp.GetBaseAddress(s_app);
        WsRestEndpoint = PetStoreApp.GetWsRestEndpoint(BaseAddress);
        Assert.That(BaseAddress.Port, Is.Not.Zero, "Kestrel should report the port it bound.");
    }

    /// <summary>Stops the server.</summary>
    [OneTimeTearDown]
    public async Task StopAsync()
    {
        if (s_app is { } app)
        {
            using var timeout = TestTimeout.Create();
            await app.StopAsync(timeout.Token);
            await app.DisposeAsync();
            s_app = null;
        }
    }
}
