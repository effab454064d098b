using System.Diagnostics;
using WsRest.Redis.Tests.Infrastructure;
using WsRest.Server;

namespace WsRest.Redis.Tests.Registry;

[Parallelizable(ParallelScope.None)]
public sealed class ClusterRegistryTests
{
    [Test]
    public async Task EveryNodeListsAndFindsTheConnectionsOfEveryNode()
    {
        await using var cluster = await Cluster.StartAsync();
        var onA = await cluster.A.ConnectAsync(o => o.Metadata["kiosk"] = "lobby");
        var onB = await cluster.B.ConnectAsync();
        var onC = await cluster.C.ConnectAsync(o => o.Metadata["kiosk"] = "door");

        var listed = await Eventually.WaitAsync(async () => await cluster.B.ClusterRegistry.GetConnectionsAsync(), l => l.Count == 3, "B lists three connections");
        var byId = listed.ToDictionary(c => c.Id);
        Assert.Multiple(() =>
        {
            Assert.That(byId[onA.ConnectionId!].Node, Is.EqualTo("A"));
            Assert.That(byId[onA.ConnectionId!].Metadata, Is.EquivalentTo(new Dictionary<string, string> { ["kiosk"] = "lobby" }));
            Assert.That(byId[onB.ConnectionId!].Node, Is.EqualTo("B"));
            Assert.That(byId[onB.ConnectionId!].Metadata, Is.Empty);
            Assert.That(byId[onC.ConnectionId!].Node, Is.EqualTo("C"));
            Assert.That(byId[onC.ConnectionId!].User, Is.Null, "anonymous");
            Assert.That(byId[onC.ConnectionId!].ConnectedAt, Is.EqualTo(cluster.C.Registry.Connections.Single().ConnectedAt).Within(TimeSpan.FromMilliseconds(1)));
            Assert.That(cluster.A.ClusterRegistry.NodeId, Is.EqualTo("A"));
        });

        var found = await cluster.A.ClusterRegistry.FindAsync(onC.ConnectionId!);
        Assert.That(found?.Node, Is.EqualTo("C"));
        Assert.That(await cluster.A.ClusterRegistry.FindAsync("0123456789abcdef0123456789abcdef"), Is.Null);

        await onC.DisposeAsync();
        await Eventually.WaitAsync(async () => await cluster.A.ClusterRegistry.FindAsync(onC.ConnectionId!), c => c is null, "a closed connection leaves the registry");
        Assert.That((await cluster.A.ClusterRegistry.GetConnectionsAsync()).Select(c => c.Id), Is.EquivalentTo(new[] { onA.ConnectionId, onB.ConnectionId }));
    }

    [Test]
    public async Task TheConnectionsOfANodeThatDiedWithoutGoodbyeDisappearWithinTheNodeTimeout()
    {
        var timeout = TimeSpan.FromSeconds(1);
        await using var cluster = await Cluster.StartAsync(o =>
        {
            o.HeartbeatInterval = TimeSpan.FromMilliseconds(200);
            o.NodeTimeout = timeout;
        });
        await cluster.A.ConnectAsync();
        var onC = await cluster.C.ConnectAsync();
        await Eventually.WaitAsync(async () => await cluster.B.ClusterRegistry.GetConnectionsAsync(), l => l.Count == 2, "B lists both connections");

        var clock = Stopwatch.StartNew();
        await cluster.C.KillAsync();
        await Eventually.WaitAsync(async () => await cluster.B.ClusterRegistry.GetConnectionsAsync(), l => l.All(c => c.Node != "C"), "C's connection is gone");
        var gone = clock.Elapsed;

        Assert.Multiple(async () =>
        {
            // The slack is for a loaded machine (a sweep or a heartbeat late by seconds); a node that never
            // timed out would stay listed until Eventually's 30 s.
            Assert.That(gone, Is.LessThan(timeout + TimeSpan.FromSeconds(5)), "bounded by NodeTimeout after the last heartbeat");
            Assert.That(await cluster.A.ClusterRegistry.FindAsync(onC.ConnectionId!), Is.Null);
            Assert.That((await cluster.A.ClusterRegistry.GetConnectionsAsync()).Select(c => c.Node).Single(), Is.EqualTo("A"));
        });
    }
}
