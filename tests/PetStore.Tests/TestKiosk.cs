using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Logging;
using PetStore.Kiosk;

namespace PetStore.Tests;

/// <summary>A store kiosk started in-process for one test (it dials a PetStore server); disposing it stops it.</summary>
internal sealed class TestKiosk : IAsyncDisposable
{
    private TestKiosk(WebApplication app, string name)
    {
        App = app;
        Name = name;
        Id = KioskApp.GetConnectionId(app);
    }

    /// <summary>The running kiosk app.</summary>
    public WebApplication App { get; }

    /// <summary>The name it announced.</summary>
    public string Name { get; }

    /// <summary>Its connection id: the server's registry and <c>GET /kiosks</c> list it under this id.</summary>
    public string Id { get; }

    /// <summary>Starts a kiosk with a fresh unique name against <paramref name="wsEndpoint"/>.</summary>
    public static async Task<TestKiosk> StartAsync(Uri wsEndpoint, CancellationToken cancellationToken)
    {
        var name = "kiosk-" + Guid.NewGuid().ToString("N")[..8];
        var app = await KioskApp.StartAsync(wsEndpoint, name, builder => builder.Logging.SetMinimumLevel(LogLevel.Warning), cancellationToken);
        return new TestKiosk(app, name);
    }

    /// <summary>Stops the kiosk, which closes its connection.</summary>
    public Task StopAsync(CancellationToken cancellationToken) => App.StopAsync(cancellationToken);

    public async ValueTask DisposeAsync()
    {
        using var timeout = TestTimeout.Create();
        await App.StopAsync(timeout.Token);
        await App.DisposeAsync();
    }
}
