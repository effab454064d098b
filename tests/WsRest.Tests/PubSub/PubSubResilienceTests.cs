using System.Collections.Concurrent;
using Microsoft.Extensions.DependencyInjection;
using WsRest.Client;
using WsRest.Protocol;
using WsRest.Server;
using WsRest.Tests.Infrastructure;

namespace WsRest.Tests.PubSub;

/// <summary>Across reconnects and slow readers nothing is lost silently: events are replayed or reported as gaps.</summary>
public class PubSubResilienceTests
{
    private static readonly TimeSpan Generous = TimeSpan.FromSeconds(30);

    [Test]
    public async Task AfterAReconnectTheSubscriptionResumesWhereItLeftOff()
    {
        await using var host = await TestHost.StartAsync(_ => { });
        await using var proxy = FaultProxy.Start(host.WsRestEndpoint);
        await using var client = new WsRestClient(Options(proxy));
        var publisher = host.App.Services.GetRequiredService<IWsRestPublisher>();
        var seen = new Recorder(10);
        await using var subscription = await client.SubscribeAsync("pets/created", seen.HandleAsync);
        for (var i = 0; i < 5; i++)
        {
            await publisher.PublishAsync("pets/created", new byte[] { 1 });
        }

        await seen.WaitForAsync(5);
        await using var events = client.WatchAsync().GetAsyncEnumerator();
        proxy.RejectNew();
        proxy.ResetAll();
        await NextAsync(events, WsRestClientEventKind.Reconnecting);

        // Published while the client is away: the replay buffer holds them.
        for (var i = 0; i < 5; i++)
        {
            await publisher.PublishAsync("pets/created", new byte[] { 2 });
        }

        proxy.RejectNew(false);
        await NextAsync(events, WsRestClientEventKind.Reconnected);
        await seen.WaitForAsync(10);

        Assert.That(seen.Items.Select(e => e.Kind), Is.All.EqualTo(WsRestEventKind.Event), "no gap: all ten were replayed or live");
        Assert.That(seen.Items.Select(e => e.Sequence), Is.EqualTo(Enumerable.Range(1, 10).Select(i => (long)i)));
    }

    [Test]
    public async Task EventsLostBeyondTheReplayBufferAreReportedAsAGap()
    {
        await using var host = await TestHost.StartAsync(_ => { }, o => o.PubSub.ReplayBufferSize = 3);
        await using var proxy = FaultProxy.Start(host.WsRestEndpoint);
        await using var client = new WsRestClient(Options(proxy));
        var publisher = host.App.Services.GetRequiredService<IWsRestPublisher>();
        var seen = new Recorder(3);
        await using var subscription = await client.SubscribeAsync("stock", seen.HandleAsync);
        await publisher.PublishAsync("stock", new byte[] { 1 });
        await seen.WaitForAsync(1);
        await using var events = client.WatchAsync().GetAsyncEnumerator();
        proxy.RejectNew();
        proxy.ResetAll();
        await NextAsync(events, WsRestClientEventKind.Reconnecting);

        for (var i = 0; i < 10; i++)
        {
            await publisher.PublishAsync("stock", new byte[] { 2 });
        }

        proxy.RejectNew(false);
        await seen.WaitUntilAsync(items => items.LastOrDefault()?.Sequence == 11);

        var items = seen.Items.ToArray();
        Assert.That(items[0].Sequence, Is.EqualTo(1));
        Assert.That(items[1].Kind, Is.EqualTo(WsRestEventKind.Gap));
        Assert.That((items[1].GapFrom, items[1].GapTo), Is.EqualTo((2L, 8L)), "2..8 fell out of the 3-event buffer");
        Assert.That(items.Skip(2).Select(e => e.Sequence), Is.EqualTo(new long[] { 9, 10, 11 }));
    }

    [Test]
    public async Task ASlowHandlerLosesItsOldestEventsWithAGapNoticeAndStallsNoOne()
    {
        await using var host = await TestHost.StartAsync(_ => { });
        var slowClient = await host.ConnectAsync(o => o.SubscriptionQueueCapacity = 5);
        var fastClient = await host.ConnectAsync();
        var publisher = host.App.Services.GetRequiredService<IWsRestPublisher>();
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var slow = new Recorder(1, gate.Task);
        var fast = new Recorder(50);
        await using var slowSubscription = await slowClient.SubscribeAsync("ticks", slow.HandleAsync);
        await using var fastSubscription = await fastClient.SubscribeAsync("ticks", fast.HandleAsync);

        for (var i = 0; i < 50; i++)
        {
            await publisher.PublishAsync("ticks", new byte[] { (byte)i });
        }

        // The publisher finished and the other subscriber got everything while one handler is stuck.
        await fast.WaitForAsync(50);
        Assert.That(fast.Items.Select(e => e.Sequence), Is.EqualTo(Enumerable.Range(1, 50).Select(i => (long)i)));

        gate.SetResult();
        await slow.WaitUntilAsync(items => items.LastOrDefault()?.Sequence == 50);
        var items = slow.Items.ToArray();
        Assert.That(items.Count(e => e.Kind == WsRestEventKind.Gap), Is.GreaterThanOrEqualTo(1));
        var covered = items.SelectMany(e => e.Kind == WsRestEventKind.Gap ? Range(e.GapFrom, e.GapTo) : [e.Sequence]).ToArray();
        Assert.That(covered, Is.EqualTo(Enumerable.Range(1, 50).Select(i => (long)i)), "every sequence is either handled or inside a gap notice, in order");
        Assert.That(items.Count(e => e.Kind == WsRestEventKind.Event), Is.LessThan(50));
    }

    [Test]
    public async Task AClientThatStopsReadingIsBoundedOnTheServerAndToldOfTheGap()
    {
        await using var host = await TestHost.StartAsync(_ => { }, o => o.PubSub.ConnectionQueueCapacity = 50);
        var publisher = host.App.Services.GetRequiredService<IWsRestPublisher>();
        var bystander = await host.ConnectAsync();
        var seen = new Recorder(2000);
        await using var bystanderSubscription = await bystander.SubscribeAsync("firehose", seen.HandleAsync);
        await using var raw = await RawConnection.OpenAsync(host.WsRestEndpoint, handshake: false);
        await raw.HandshakeAsync(new PeerSettings { PubSub = 1 });
        var subscribe = new System.Buffers.ArrayBufferWriter<byte>();
        PubSubFrames.WriteSubscribe(subscribe, "firehose", 0);
        await raw.SendFrameAsync(FrameType.Subscribe, FrameFlags.None, 1, subscribe.WrittenSpan);
        var ack = await raw.ReceiveFrameAsync(FrameType.Ack, 1);
        Assert.That(PubSubFrames.ReadAck(ack.Payload).Kind, Is.EqualTo(AckKind.Subscribed));

        // The raw client now reads nothing while 2000 events of 4 KiB (8 MiB) are published.
        var payload = new byte[4096];
        for (var i = 0; i < 2000; i++)
        {
            await publisher.PublishAsync("firehose", payload).AsTask().WaitAsync(Generous);
        }

        // The publisher never waited for the stalled client (all 2000 published above); the reading
        // subscriber reaches the end, every sequence handled or (under this burst) inside a gap notice.
        await seen.WaitUntilAsync(items => items.LastOrDefault()?.Sequence == 2000);
        var covered = seen.Items.SelectMany(e => e.Kind == WsRestEventKind.Gap ? Range(e.GapFrom, e.GapTo) : [e.Sequence]);
        Assert.That(covered, Is.EqualTo(Enumerable.Range(1, 2000).Select(i => (long)i)));

        // When the stalled client reads again it learns what it missed.
        var gap = await raw.ReceiveFrameAsync(FrameType.Event, 1, f => (f.Flags & PubSubFrames.Gap) != 0);
        var (from, to) = PubSubFrames.ReadGap(gap.Payload);
        Assert.That(from, Is.GreaterThanOrEqualTo(1));
        Assert.That(to, Is.LessThan(2000));
    }

    private static IEnumerable<long> Range(long from, long to)
    {
        for (var i = from; i <= to; i++)
        {
            yield return i;
        }
    }

    private static WsRestClientOptions Options(FaultProxy proxy)
    {
        var options = new WsRestClientOptions { Endpoint = proxy.WsUri("/wsrest") };
        options.Reconnect.InitialDelay = TimeSpan.FromMilliseconds(50);
        options.Reconnect.MaxDelay = TimeSpan.FromMilliseconds(200);
        return options;
    }

    private static async Task NextAsync(IAsyncEnumerator<WsRestClientEvent> events, WsRestClientEventKind kind)
    {
        do
        {
            Assert.That(await events.MoveNextAsync().AsTask().WaitAsync(Generous), Is.True);
        }
        while (events.Current.Kind != kind);
    }

    /// <summary>A subscription handler that records what it is handed (optionally held at a gate first).</summary>
#pragma warning disable CA1001 // The semaphore never exposes a wait handle; nothing to release.
    private sealed class Recorder(int expected, Task? gate = null)
#pragma warning restore CA1001
    {
        private readonly ConcurrentQueue<WsRestEvent> _items = new();
        private readonly SemaphoreSlim _changed = new(0);

        public IReadOnlyCollection<WsRestEvent> Items => _items;

        public async ValueTask HandleAsync(WsRestEvent item, CancellationToken cancellationToken)
        {
            if (gate is not null)
            {
                await gate.WaitAsync(cancellationToken);
            }

            _items.Enqueue(item);
            _changed.Release();
        }

        public Task WaitForAsync(int count) => WaitUntilAsync(items => items.Count >= count);

        public async Task WaitUntilAsync(Func<IReadOnlyCollection<WsRestEvent>, bool> condition)
        {
            using var timeout = new CancellationTokenSource(Generous);
            while (!condition(_items))
            {
                await _changed.WaitAsync(timeout.Token);
            }

            _ = expected;
        }
    }
}
