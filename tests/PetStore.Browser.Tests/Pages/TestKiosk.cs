using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Logging;
using PetStore.Kiosk;

namespace PetStore.Browser.Tests.Pages;

/// <summary>A store kiosk started in-process against the test server; disposing it stops it (its connection closes).</summary>
internal sealed class TestKiosk : IAsyncDisposable
{
    private readonly WebApplication _app;

    private TestKiosk(WebApplication app, string name)
    {
        _app = app;
        Name = name;
        Id = KioskApp.GetConnectionId(app);
    }

    public string Name { get; }

    public string Id { get; }

    /// <summary>Starts a kiosk named <paramref name="name"/>, or a fresh unique name.</summary>
    public static async Task<TestKiosk> StartAsync(CancellationToken cancellationToken, string? name = null)
    {
        name ??= PetStorePageTests.UniqueName("kiosk");
        var app = await KioskApp.StartAsync(WebServer.WsRestEndpoint, name, builder => builder.Logging.SetMinimumLevel(LogLevel.Warning), cancellationToken);
        return new TestKiosk(app, name);
    }

    public async ValueTask DisposeAsync()
    {
        using var timeout = TestTimeout.Create();
        await _app.StopAsync(timeout.Token);
        await _app.DisposeAsync();
    }
}
