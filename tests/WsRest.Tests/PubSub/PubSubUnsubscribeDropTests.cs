using System.Buffers;
using Microsoft.Extensions.DependencyInjection;
using WsRest.Client;
using WsRest.Protocol;
using WsRest.Server;
using WsRest.Tests.Infrastructure;

namespace WsRest.Tests.PubSub;

/// <summary>
/// Issue 13 §4: an event queued for a subscription before the server acknowledged its UNSUBSCRIBE, and
/// dropped for a slow reader after the ACK was queued, is reported by a gap notice that arrives
/// <em>before</em> the ACK(Unsubscribed) — after it, the client has forgotten the id and the loss would
/// go unreported.
/// </summary>
public class PubSubUnsubscribeDropTests
{
    private static readonly TimeSpan Generous = TimeSpan.FromSeconds(30);

    [Test]
    public async Task ADropAfterTheUnsubscribeWasQueuedIsReportedBeforeItsAck()
    {
        await using var setup = await Setup.StartAsync();
        var (host, publisher, marker, raw) = (setup.Host, setup.Publisher, setup.Marker, setup.Raw);
        await SubscribeAsync(raw, 1, "leaving");
        await SubscribeAsync(raw, 3, "firehose");

        // The raw client reads nothing from here on. 3000 events of 16 KiB (48 MiB) fill the socket's buffers
        // (loopback buffers grow to several MiB each way) and the writer, and the server's queue holds the last 50.
        var payload = new byte[16384];
        for (var i = 0; i < 3000; i++)
        {
            await publisher.PublishAsync("firehose", payload).AsTask().WaitAsync(Generous);
        }

        // Three events for the subscription that is about to leave wait at the end of the queue ...
        for (var i = 0; i < 3; i++)
        {
            await publisher.PublishAsync("leaving", new byte[] { (byte)i }).AsTask().WaitAsync(Generous);
        }

        // ... its UNSUBSCRIBE is processed (its ACK queued behind them): the server handles one connection's
        // operations in order, so once the publish sent after it reached the bystander, the ACK is queued.
        await raw.SendFrameAsync(FrameType.Unsubscribe, FrameFlags.None, 1, ReadOnlySpan<byte>.Empty);
        var publish = new ArrayBufferWriter<byte>();
        PubSubFrames.WritePublishHead(publish, "marker", "text/plain");
        await raw.SendFrameAsync(FrameType.Event, PubSubFrames.Publish, 5, publish.WrittenSpan);
        await marker.Task.WaitAsync(Generous);

        // ... and then newer events push the three out of the queue (drop-oldest), after their ACK was queued.
        for (var i = 0; i < 200; i++)
        {
            await publisher.PublishAsync("firehose", payload).AsTask().WaitAsync(Generous);
        }

        // A last operation whose ACK is queued after every notice the drops above could have caused.
        await raw.SendFrameAsync(FrameType.Unsubscribe, FrameFlags.None, 3, ReadOnlySpan<byte>.Empty);

        // Reading again: for subscription 1, every one of its three events is delivered or inside a gap
        // notice, all before its ACK(Unsubscribed), and nothing for it follows that ACK.
        var covered = new List<long>();
        var acknowledged = false;
        await foreach (var frame in ReadFramesAsync(raw))
        {
            if (frame.Type == FrameType.Ack && frame.StreamId == 3)
            {
                break;
            }

            if (frame.StreamId != 1)
            {
                continue;
            }

            Assert.That(acknowledged, Is.False, "a frame for subscription 1 after its ACK(Unsubscribed)");
            if (frame.Type == FrameType.Ack)
            {
                Assert.That(PubSubFrames.ReadAck(frame.Payload).Kind, Is.EqualTo(AckKind.Unsubscribed));
                Assert.That(covered, Is.EqualTo(new long[] { 1, 2, 3 }), "every event queued before the unsubscribe is accounted for before its ACK");
                acknowledged = true;
            }
            else if ((frame.Flags & PubSubFrames.Gap) != 0)
            {
                var (from, to) = PubSubFrames.ReadGap(frame.Payload);
                for (var sequence = from; sequence <= to; sequence++)
                {
                    covered.Add(sequence);
                }
            }
            else
            {
                PubSubFrames.ReadDelivery(frame.Payload, out var sequence, out _);
                covered.Add(sequence);
            }
        }

        Assert.That(acknowledged, Is.True);
    }

    /// <summary>
    /// Deliveries waiting for a client that is behind on reading do not stop the server from reading it: its
    /// UNSUBSCRIBE and its publishes are handled while the server's writer is full of events for it. Counted
    /// with the replies the client provokes, the deliveries (up to 64 frames of 64 KiB here) paused the read
    /// loop, so the client could not unsubscribe until it had read a megabyte of what it wanted to stop (and
    /// the test above failed when the machine's socket buffers filled before its UNSUBSCRIBE).
    /// </summary>
    [Test]
    public async Task AClientBehindOnReadingIsStillReadFromWhileDeliveriesWaitForIt()
    {
        await using var setup = await Setup.StartAsync();
        var (host, publisher, marker, raw) = (setup.Host, setup.Publisher, setup.Marker, setup.Raw);
        await SubscribeAsync(raw, 1, "firehose");
        var connection = host.Registry.Connections.Single(c => c.Id != setup.BystanderId);
        var backlog = connection.Peer.Backlog;

        // The raw client reads nothing: events go until the socket's buffers are full and more than the
        // read-pause threshold of deliveries waits in the server's writer.
        var payload = new byte[32 * 1024];
        using (var deadline = new CancellationTokenSource(Generous))
        {
            while (backlog.Bytes <= backlog.PauseAbove)
            {
                await publisher.PublishAsync("firehose", payload, cancellationToken: deadline.Token);
                await Task.Yield();
            }
        }

        await raw.SendFrameAsync(FrameType.Unsubscribe, FrameFlags.None, 1, ReadOnlySpan<byte>.Empty);
        var publish = new ArrayBufferWriter<byte>();
        PubSubFrames.WritePublishHead(publish, "marker", "text/plain");
        await raw.SendFrameAsync(FrameType.Event, PubSubFrames.Publish, 3, publish.WrittenSpan);

        await marker.Task.WaitAsync(Generous);
        Assert.That(backlog.Pauses, Is.Zero, "the read loop never waited for the deliveries");
    }

    /// <summary>Every frame, in order, of every message (RawConnection.ReceiveFrameAsync skips the rest of a message).</summary>
    private static async IAsyncEnumerable<(FrameType Type, FrameFlags Flags, ulong StreamId, byte[] Payload)> ReadFramesAsync(RawConnection raw)
    {
        using var timeout = new CancellationTokenSource(Generous);
        var buffer = new ArrayBufferWriter<byte>();
        while (true)
        {
            buffer.ResetWrittenCount();
            System.Net.WebSockets.ValueWebSocketReceiveResult result;
            do
            {
                result = await raw.Socket.ReceiveAsync(buffer.GetMemory(65536), timeout.Token);
                Assert.That(result.MessageType, Is.Not.EqualTo(System.Net.WebSockets.WebSocketMessageType.Close), "the server closed the connection");
                buffer.Advance(result.Count);
            }
            while (!result.EndOfMessage);

            var frames = new List<(FrameType, FrameFlags, ulong, byte[])>();
            var span = buffer.WrittenSpan;
            while (!span.IsEmpty && FrameCodec.TryReadFrame(span, out var frame, out var consumed))
            {
                frames.Add((frame.Type, frame.Flags, frame.StreamId, frame.Payload.ToArray()));
                span = span[consumed..];
            }

            foreach (var frame in frames)
            {
                yield return frame;
            }
        }
    }

    /// <summary>
    /// A server whose pub/sub queue holds 50 events, a bystander client subscribed to "marker" (which the raw
    /// client may publish to: its arrival shows the server read the raw client's frames), and a raw client
    /// with pub/sub that reads only when a test makes it.
    /// </summary>
    private sealed class Setup : IAsyncDisposable
    {
        private WsRestSubscription? _markerSubscription;

        private Setup(TestHost host)
        {
            Host = host;
            Publisher = host.App.Services.GetRequiredService<IWsRestPublisher>();
        }

        public TestHost Host { get; }

        public IWsRestPublisher Publisher { get; }

        public TaskCompletionSource Marker { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public RawConnection Raw { get; private set; } = null!; // set by StartAsync before anyone sees the setup

        public string BystanderId { get; private set; } = null!;

        public static async Task<Setup> StartAsync()
        {
            var setup = new Setup(await TestHost.StartAsync(_ => { }, o =>
            {
                o.PubSub.ConnectionQueueCapacity = 50;
                o.PubSub.AuthorizePublish = (_, topic) => topic == "marker";
            }));
            try
            {
                var bystander = await setup.Host.ConnectAsync();
                setup.BystanderId = bystander.ConnectionId!;
                setup._markerSubscription = await bystander.SubscribeAsync("marker", (_, _) =>
                {
                    setup.Marker.TrySetResult();
                    return ValueTask.CompletedTask;
                });
                setup.Raw = await RawConnection.OpenAsync(setup.Host.WsRestEndpoint, handshake: false);
                await setup.Raw.HandshakeAsync(new PeerSettings { PubSub = 1 });
                return setup;
            }
            catch
            {
                await setup.DisposeAsync();
                throw;
            }
        }

        public async ValueTask DisposeAsync()
        {
            if (Raw is not null)
            {
                await Raw.DisposeAsync();
            }

            if (_markerSubscription is not null)
            {
                await _markerSubscription.DisposeAsync();
            }

            await Host.DisposeAsync();
        }
    }

    private static async Task SubscribeAsync(RawConnection raw, ulong id, string topic)
    {
        var subscribe = new ArrayBufferWriter<byte>();
        PubSubFrames.WriteSubscribe(subscribe, topic, 0);
        await raw.SendFrameAsync(FrameType.Subscribe, FrameFlags.None, id, subscribe.WrittenSpan);
        var ack = await raw.ReceiveFrameAsync(FrameType.Ack, id).WaitAsync(Generous);
        Assert.That(PubSubFrames.ReadAck(ack.Payload).Kind, Is.EqualTo(AckKind.Subscribed));
    }
}
