using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using WsRest.Server;
using WsRest.Tests.Infrastructure;

namespace WsRest.Tests.Transport;

/// <summary>What the registry lists and announces, and its event stream never making the server wait for its readers.</summary>
public class RegistryTests
{
    [Test]
    public async Task AnUnreadWatcherDropsItsOldestEventsInsteadOfBlocking()
    {
        await using var host = await TestHost.StartAsync(_ => { }, o => o.EventBufferCapacity = 2);
        using var stop = new CancellationTokenSource();
        await using var slow = host.Registry.WatchAsync(stop.Token).GetAsyncEnumerator();
        await using var live = host.Registry.WatchAsync(100, stop.Token).GetAsyncEnumerator();

        // Five connections while "slow" reads nothing: the server is not held up by it.
        var ids = new List<string>();
        for (var i = 0; i < 5; i++)
        {
            var client = await host.ConnectAsync();
            ids.Add(client.ConnectionId!);
        }

        // A roomier watcher shows when all five were announced.
        for (var i = 0; i < 5; i++)
        {
            Assert.That(await live.MoveNextAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(30)), Is.True);
        }

        // "slow" kept only the newest two events of its bounded buffer.
        Assert.That(await slow.MoveNextAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(30)), Is.True);
        var first = slow.Current;
        Assert.That(await slow.MoveNextAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(30)), Is.True);
        var second = slow.Current;
        Assert.That(new[] { first.Connection.Id, second.Connection.Id }, Is.EqualTo(ids.Skip(3).ToArray()));
        Assert.That(first.Kind, Is.EqualTo(WsRestConnectionEventKind.Connected));
    }

    [Test]
    public async Task AProtocolViolationIsReportedAsAFailedEvent()
    {
        await using var host = await TestHost.StartAsync(_ => { });
        await using var events = host.Registry.WatchAsync().GetAsyncEnumerator();
        await using var raw = await RawConnection.OpenAsync(host.WsRestEndpoint);
        Assert.That(await events.MoveNextAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(30)), Is.True);
        Assert.That(events.Current.Kind, Is.EqualTo(WsRestConnectionEventKind.Connected));

        await raw.SendBytesAsync([0x7F, 0, 0, 0]);
        var (code, _) = await raw.ReceiveUntilClosedAsync();
        Assert.That(code, Is.EqualTo(WsRestErrorCode.ProtocolError));

        Assert.That(await events.MoveNextAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(30)), Is.True);
        Assert.That(events.Current.Kind, Is.EqualTo(WsRestConnectionEventKind.Failed));
        Assert.That(events.Current.Error, Is.InstanceOf<WsRestProtocolException>());
        Assert.That(events.Current.Error!.Message, Does.Contain("0x7F"));
    }

    [Test]
    public async Task TheFirstRequestOfEachConnectionFindsItListed()
    {
        await using var host = await TestHost.StartAsync(app => app.MapGet("/listed", (HttpContext context) =>
        {
            var connection = context.Features.Get<IWsRestConnectionFeature>()!.Connection;
            var registry = context.RequestServices.GetRequiredService<WsRestConnectionRegistry>();
            return registry.TryGetConnection(connection.Id, out _) ? "listed" : "not listed";
        }));

        // A connection's first exchange is where the listing used to come late (after the engine had
        // started), so each of these asks on its very first request.
        for (var i = 0; i < 20; i++)
        {
            using var http = await host.CreateWsRestHttpClientAsync();
            Assert.That(await http.GetStringAsync("/listed"), Is.EqualTo("listed"), $"connection {i}");
        }
    }
}
