using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using WsRest.Client;
using WsRest.Tests.Infrastructure;

namespace WsRest.Tests.Observability;

/// <summary>A health check reports the client connection's state.</summary>
public class HealthCheckTests
{
    [Test]
    public async Task HealthFollowsTheConnectionState()
    {
        var clock = new ManualClock();
        await using var host = await TestHost.StartAsync(app => app.MapGet("/ping", () => "pong"));
        await using var proxy = FaultProxy.Start(host.WsRestEndpoint);
        var options = new WsRestClientOptions { Endpoint = proxy.WsUri("/wsrest"), KeepAliveInterval = TimeSpan.Zero };
        options.Reconnect.InitialDelay = TimeSpan.FromMinutes(1);
        options.Reconnect.MaxDelay = TimeSpan.FromMinutes(1);
        var client = new WsRestClient(options, timeProvider: clock);
        await using var services = new ServiceCollection().AddLogging().AddHealthChecks().AddWsRestConnection(_ => client, name: "petstore").Services.BuildServiceProvider();
        var health = services.GetRequiredService<HealthCheckService>();

        Assert.That((await health.CheckHealthAsync()).Status, Is.EqualTo(HealthStatus.Unhealthy), "never connected");

        await client.ConnectAsync();
        var connected = await health.CheckHealthAsync();
        Assert.That(connected.Status, Is.EqualTo(HealthStatus.Healthy));
        Assert.That(connected.Entries["petstore"].Data["connectionId"], Is.EqualTo(client.ConnectionId));

        // Lost, and the next attempt is a minute away on the manual clock: reconnecting means degraded.
        await using var events = client.WatchAsync().GetAsyncEnumerator();
        proxy.RejectNew();
        proxy.ResetAll();
        do
        {
            Assert.That(await events.MoveNextAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(30)), Is.True);
        }
        while (events.Current.Kind != WsRestClientEventKind.Reconnecting);

        Assert.That((await health.CheckHealthAsync()).Status, Is.EqualTo(HealthStatus.Degraded));

        await client.DisposeAsync();
        var closed = await health.CheckHealthAsync();
        Assert.That(closed.Status, Is.EqualTo(HealthStatus.Unhealthy));
        Assert.That(closed.Entries["petstore"].Description, Does.Contain("closed"));
    }
}
