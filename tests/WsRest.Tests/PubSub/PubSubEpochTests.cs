using System.Collections.Concurrent;
using Microsoft.Extensions.DependencyInjection;
using WsRest.Client;
using WsRest.Protocol;
using WsRest.Server;
using WsRest.Tests.Infrastructure;

namespace WsRest.Tests.PubSub;

/// <summary>
/// Issue 18, item 8: a topic's numbering has an epoch that changes when the numbering restarts (a new
/// server process); subscribers see the change as a reset, and (epoch, sequence) names an event for good.
/// </summary>
[TestFixture(WsRestEncoding.Binary)]
[TestFixture(WsRestEncoding.Json)]
public class PubSubEpochTests(WsRestEncoding encoding)
{
    private static readonly TimeSpan Generous = TimeSpan.FromSeconds(30);

    [Test]
    public async Task AfterAServerRestartTheSubscriberSeesTheNewEpochAndDeduplicatesByEpochAndSequence()
    {
        var first = await TestHost.StartAsync(encoding, _ => { });
        await using var proxy = FaultProxy.Start(first.WsRestEndpoint);
        var options = new WsRestClientOptions { Endpoint = proxy.WsUri("/wsrest"), Encoding = encoding };
        options.Reconnect.InitialDelay = TimeSpan.FromMilliseconds(50);
        options.Reconnect.MaxDelay = TimeSpan.FromMilliseconds(200);
        await using var client = new WsRestClient(options);

        // What a deduplicating handler keeps: the identity of every event it processed.
        var processed = new ConcurrentDictionary<(long Epoch, long Sequence), byte>();
        var duplicates = 0;
        var log = new ConcurrentQueue<WsRestEvent>();
        var arrived = new SemaphoreSlim(0);
        await using var subscription = await client.SubscribeAsync("pets/created", (e, _) =>
        {
            log.Enqueue(e);
            if (e.Kind == WsRestEventKind.Event && !processed.TryAdd((e.Epoch, e.Sequence), 0))
            {
                Interlocked.Increment(ref duplicates);
            }

            arrived.Release();
            return ValueTask.CompletedTask;
        });

        var publisher = first.App.Services.GetRequiredService<IWsRestPublisher>();
        for (var i = 1; i <= 5; i++)
        {
            await publisher.PublishAsync("pets/created", new[] { (byte)i });
            Assert.That(await arrived.WaitAsync(Generous), Is.True);
        }

        var oldEpoch = subscription.Epoch;
        Assert.That(oldEpoch, Is.Not.Zero, "the server announces its epoch");
        Assert.That(log.Select(e => e.Epoch), Is.All.EqualTo(oldEpoch));

        // The server restarts. Before the client is back, the new process has already numbered more events
        // than the client had seen (1..7 against 1..5): by sequence alone, 1..5 would look already handled.
        await using var events = client.WatchAsync().GetAsyncEnumerator();
        await first.DisposeAsync();
        await using var second = await TestHost.StartAsync(encoding, _ => { });
        var again = second.App.Services.GetRequiredService<IWsRestPublisher>();
        for (var i = 1; i <= 7; i++)
        {
            await again.PublishAsync("pets/created", new[] { (byte)(100 + i) });
        }

        proxy.Target = FaultProxy.ToEndPoint(second.WsRestEndpoint);
        do
        {
            Assert.That(await events.MoveNextAsync().AsTask().WaitAsync(Generous), Is.True);
        }
        while (events.Current.Kind != WsRestClientEventKind.Reconnected);

        // The reset, then the new epoch's events replayed from its start.
        for (var i = 0; i < 8; i++)
        {
            Assert.That(await arrived.WaitAsync(Generous), Is.True, $"delivery {i + 1} of 8 after the restart");
        }

        var afterRestart = log.Skip(5).ToArray();
        Assert.That(afterRestart[0].Kind, Is.EqualTo(WsRestEventKind.Reset));
        var newEpoch = afterRestart[0].Epoch;
        Assert.That(newEpoch, Is.Not.Zero.And.Not.EqualTo(oldEpoch));
        Assert.That(afterRestart.Skip(1).Select(e => (e.Kind, e.Epoch, e.Sequence, e.Data.Span[0])), Is.EqualTo(Enumerable.Range(1, 7).Select(i => (WsRestEventKind.Event, newEpoch, (long)i, (byte)(100 + i)))));
        Assert.That(subscription.Epoch, Is.EqualTo(newEpoch));
        Assert.That(subscription.LastSequence, Is.EqualTo(7));
        Assert.That(Volatile.Read(ref duplicates), Is.Zero);
        Assert.That(processed, Has.Count.EqualTo(12), "5 events of the old epoch and 7 of the new, each processed once");

        // Live events go on in the new epoch.
        await again.PublishAsync("pets/created", new byte[] { 108 });
        Assert.That(await arrived.WaitAsync(Generous), Is.True);
        Assert.That((log.Last().Epoch, log.Last().Sequence), Is.EqualTo((newEpoch, 8L)));
    }

    [Test]
    public async Task AReconnectToTheSameServerKeepsTheEpochAndAnnouncesNoReset()
    {
        await using var host = await TestHost.StartAsync(encoding, _ => { });
        await using var proxy = FaultProxy.Start(host.WsRestEndpoint);
        var options = new WsRestClientOptions { Endpoint = proxy.WsUri("/wsrest"), Encoding = encoding };
        options.Reconnect.InitialDelay = TimeSpan.FromMilliseconds(50);
        options.Reconnect.MaxDelay = TimeSpan.FromMilliseconds(200);
        await using var client = new WsRestClient(options);
        var log = new ConcurrentQueue<WsRestEvent>();
        var arrived = new SemaphoreSlim(0);
        await using var subscription = await client.SubscribeAsync("pets/created", (e, _) =>
        {
            log.Enqueue(e);
            arrived.Release();
            return ValueTask.CompletedTask;
        });
        var publisher = host.App.Services.GetRequiredService<IWsRestPublisher>();
        await publisher.PublishAsync("pets/created", new byte[] { 1 });
        Assert.That(await arrived.WaitAsync(Generous), Is.True);

        await using var events = client.WatchAsync().GetAsyncEnumerator();
        proxy.ResetAll();
        do
        {
            Assert.That(await events.MoveNextAsync().AsTask().WaitAsync(Generous), Is.True);
        }
        while (events.Current.Kind != WsRestClientEventKind.Reconnected);

        // Published after the reconnect; the re-subscription may not be live yet, so publish until one lands.
        var probes = 0;
        do
        {
            await publisher.PublishAsync("pets/created", new byte[] { 2 });
            probes++;
        }
        while (!await arrived.WaitAsync(TimeSpan.FromMilliseconds(200)) && probes < 100);

        Assert.That(log.Select(e => e.Kind), Is.All.EqualTo(WsRestEventKind.Event), "no reset: the numbering did not restart");
        Assert.That(log.Select(e => e.Epoch).Distinct(), Is.EqualTo(new[] { subscription.Epoch }));
    }
}

/// <summary>Epochs are negotiated (protocol.md §10.1): a client that announced PubSub = 1 sees the version-1 frames only.</summary>
public class PubSubEpochCompatibilityTests
{
    [Test]
    public async Task AClientWithoutEpochsGetsNoEpochNotices()
    {
        await using var host = await TestHost.StartAsync(_ => { });
        var publisher = host.App.Services.GetRequiredService<IWsRestPublisher>();
        await using var raw = await RawConnection.OpenAsync(host.WsRestEndpoint, handshake: false);
        await raw.HandshakeAsync(new PeerSettings { PubSub = 1 });
        var subscribe = new System.Buffers.ArrayBufferWriter<byte>();
        PubSubFrames.WriteSubscribe(subscribe, "pets/created", 0);
        await raw.SendFrameAsync(FrameType.Subscribe, FrameFlags.None, 1, subscribe.WrittenSpan);
        var ack = await raw.ReceiveFrameAsync([FrameType.Ack, FrameType.Event], 1);
        Assert.That(ack.Type, Is.EqualTo(FrameType.Ack), "nothing before the ACK: a version-1 client gets no epoch notice");

        await publisher.PublishAsync("pets/created", new byte[] { 7 });
        var delivered = await raw.ReceiveFrameAsync([FrameType.Ack, FrameType.Event], 1);
        Assert.That(delivered.Flags, Is.EqualTo(FrameFlags.None));
        Assert.That(PubSubFrames.ReadDelivery(delivered.Payload, out var sequence, out _).ToArray(), Is.EqualTo(new byte[] { 7 }));
        Assert.That(sequence, Is.EqualTo(1));
    }
}
