using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace WsRest.Redis.Tests;

public sealed class OptionsValidationTests
{
    [Test]
    public void AMissingConnectionStringFailsAtRegistrationAndSaysWhat()
    {
        var services = new ServiceCollection();

        var error = Assert.Throws<ArgumentException>(() => services.AddRedis((string?)null));

        Assert.That(error!.Message, Does.Contain("Redis connection string"));
    }

    [Test]
    public void InvalidOptionsFailTheStartWithTheirReason()
    {
        // Mapping the endpoint already resolves the backplane, so the error can come before StartAsync: either way, before serving.
        var error = Assert.ThrowsAsync<OptionsValidationException>(async () =>
        {
            var builder = WebApplication.CreateSlimBuilder();
            builder.WebHost.UseUrls("http://127.0.0.1:0");
            builder.Services.AddWsRest().AddRedis("127.0.0.1:1", o =>
            {
                o.HeartbeatInterval = TimeSpan.FromSeconds(5);
                o.NodeTimeout = TimeSpan.FromSeconds(6);
            });
            await using var app = builder.Build();
            app.MapWsRest("/wsrest");
            await app.StartAsync();
        });

        Assert.That(error!.Message, Does.Contain("NodeTimeout at least twice"));
    }
}
