using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using WsRest.Client;
using WsRest.Server;

namespace WsRest.Redis.Tests.Registry;

public sealed class LocalClusterRegistryTests
{
    [Test]
    public async Task WithoutRedisTheClusterRegistryListsThisNodesConnectionsUnderItsServerName()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Services.AddWsRest(o => o.ServerName = "solo");
        await using var app = builder.Build();
        app.MapWsRest("/wsrest");
        await app.StartAsync();
        var address = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
        using var watching = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var connected = app.Services.GetRequiredService<WsRestConnectionRegistry>().WatchAsync(watching.Token).FirstAsync(e => e.Kind == WsRestConnectionEventKind.Connected, watching.Token);
        await using var client = new WsRestClient(new WsRestClientOptions { Endpoint = new Uri($"ws://{address.Authority}/wsrest"), Metadata = { ["role"] = "kiosk" } });
        await client.ConnectAsync();
        await connected; // the server lists a connection once the client's READY arrived, which can be after ConnectAsync returned

        var registry = app.Services.GetRequiredService<IWsRestClusterRegistry>();
        var listed = await registry.GetConnectionsAsync();
        Assert.Multiple(async () =>
        {
            Assert.That(registry.NodeId, Is.EqualTo("solo"));
            Assert.That(listed.Select(c => (c.Id, c.Node, c.Metadata["role"])).Single(), Is.EqualTo((client.ConnectionId, "solo", "kiosk")));
            Assert.That((await registry.FindAsync(client.ConnectionId!))?.Id, Is.EqualTo(client.ConnectionId));
            Assert.That(await registry.FindAsync("nope"), Is.Null);
        });
        await app.StopAsync();
    }
}
