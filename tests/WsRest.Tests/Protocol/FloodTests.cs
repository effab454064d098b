using System.Buffers;
using System.Net.WebSockets;
using Microsoft.AspNetCore.Builder;
using WsRest.Protocol;
using WsRest.Server;
using WsRest.Tests.Infrastructure;

namespace WsRest.Tests.Protocol;

/// <summary>
/// A client that sends and never reads (issue 19, item 1): what the server queues for it stays
/// bounded, the flood ends in back-pressure or a clear error, and other clients are served meanwhile.
/// </summary>
public class FloodTests
{
    private static readonly TimeSpan Generous = TimeSpan.FromSeconds(30);

    [Test]
    public async Task MessagesFullOfPingsFromAClientThatNeverReadsEndInEnhanceYourCalm()
    {
        await using var host = await TestHost.StartAsync(app => app.MapGet("/ping", () => "pong"), o => o.KeepAliveInterval = TimeSpan.Zero);
        using var bystander = await host.CreateWsRestHttpClientAsync();

        // The bystander connects first, so the next connection the registry reports is the attacker's.
        Assert.That(await bystander.GetStringAsync("/ping"), Is.EqualTo("pong"));
        await using var events = host.Registry.WatchAsync().GetAsyncEnumerator();
        await using var raw = await RawConnection.OpenAsync(host.WsRestEndpoint);
        var attacked = await NextAsync(events, WsRestConnectionEventKind.Connected);

        // 1 MiB messages of back-to-back PINGs (about 95,000 each), 16 of them, and not one byte read.
        var flood = PingMessage(1 << 20);
        var attack = Task.Run(async () =>
        {
            for (var i = 0; i < 16; i++)
            {
                await raw.SendBytesAsync(flood);
            }
        });

        // The attacker reads only once the server has failed its connection: until then nothing it was
        // sent (the PONGs, then the ERROR) left the server's socket, and the ERROR must still arrive.
        var closed = ReceiveOnceClosingAsync(raw, attacked.Connection.Peer);
        var served = await ServeWhileAsync(bystander, attack);
        var (code, reason) = await closed.WaitAsync(Generous);
        Assert.That(code, Is.EqualTo(WsRestErrorCode.EnhanceYourCalm));
        Assert.That(reason, Does.Contain("1024 replies (PONG)"));

        var failed = await NextAsync(events, WsRestConnectionEventKind.Failed);
        Assert.That(failed.Connection.Id, Is.EqualTo(attacked.Connection.Id));
        Assert.That(failed.Error!.Message, Does.Contain("control-frame flood"));

        // What waited for the client never passed the reply limit by more than a message's worth of
        // bookkeeping: 1,024 PONGs at 64 B each, not one per PING sent (1.5 million).
        var backlog = attacked.Connection.Peer.Backlog;
        Assert.That(backlog.PeakBytes, Is.LessThan(256 * 1024), "bytes queued for the flooding client");
        Assert.That(served, Is.GreaterThan(0));
        Assert.That(await bystander.GetStringAsync("/ping"), Is.EqualTo("pong"));
        await AssertEndedAsync(attack);
    }

    [Test]
    public async Task RequestsWhoseResponsesAreNeverReadStopTheServerReadingUntilTheClientReads()
    {
        var handled = 0;
        var body = new string('x', 1024);
        await using var host = await TestHost.StartAsync(
            app =>
            {
                app.MapGet("/kb", () =>
                {
                    Interlocked.Increment(ref handled);
                    return body;
                });
                app.MapGet("/ping", () => "pong");
            },
            o => o.KeepAliveInterval = TimeSpan.Zero);
        using var bystander = await host.CreateWsRestHttpClientAsync();

        // The bystander connects first, so the next connection the registry reports is the attacker's.
        Assert.That(await bystander.GetStringAsync("/ping"), Is.EqualTo("pong"));
        await using var events = host.Registry.WatchAsync().GetAsyncEnumerator();

        // Windows so large that flow control never stops the responses: only back-pressure can.
        await using var raw = await RawConnection.OpenAsync(host.WsRestEndpoint, handshake: false);
        await raw.HandshakeAsync(new PeerSettings { InitialStreamWindow = int.MaxValue / 2, InitialConnectionWindow = int.MaxValue / 2 });
        var attacked = await NextAsync(events, WsRestConnectionEventKind.Connected);
        var backlog = attacked.Connection.Peer.Backlog;
        var memoryBefore = GC.GetTotalMemory(forceFullCollection: true);

        // Up to 40,000 requests, 20 per message, each answered with 1 KiB. The attacker paces itself as a
        // client that respects the stream limit would (at most two batches outstanding, so nothing is
        // refused), but it never reads: without back-pressure the server would queue every
        // response for it, about 80 MiB.
        const int Messages = 2000;
        const int PerMessage = 20;
        var sent = 0;
        var attack = Task.Run(async () =>
        {
            ulong id = 1;
            for (var i = 0; i < Messages && backlog.Pauses == 0; i++)
            {
                var message = new ArrayBufferWriter<byte>();
                for (var j = 0; j < PerMessage; j++, id += 2)
                {
                    FrameCodec.WriteFrame(message, FrameType.Request, FrameFlags.EndStream, id, RawConnection.EncodeGet("/kb"));
                }

                // Counted first: a response can arrive before this send's continuation runs.
                Interlocked.Add(ref sent, PerMessage);
                await raw.SendBytesAsync(message.WrittenSpan.ToArray());
                await WaitUntilAsync(() => Volatile.Read(ref sent) - Volatile.Read(ref handled) <= 2 * PerMessage || backlog.Pauses > 0, "the server to take the batch", () => $"handled {Volatile.Read(ref handled)} of {Volatile.Read(ref sent)}");
            }
        });
        // The attacker's last send may never finish while the server does not read: wait for the pause.
        await WaitUntilAsync(() => backlog.Pauses > 0 || attack.IsCompleted, "the server to stop reading", () => $"handled {Volatile.Read(ref handled)}, sent {Volatile.Read(ref sent)}, peak {backlog.PeakBytes}");
        Assert.That(backlog.Pauses, Is.GreaterThan(0), () => $"the server never stopped reading from a client that reads nothing ({Volatile.Read(ref handled)} requests handled, {backlog.PeakBytes} bytes queued at most)");

        // The bystander is served while the attacker's connection is held back.
        var served = await ServeWhileAsync(bystander, Task.Delay(TimeSpan.FromMilliseconds(300)));
        Assert.That(served, Is.GreaterThan(0));

        var memoryDuring = GC.GetTotalMemory(forceFullCollection: true);
        Assert.That(backlog.PeakBytes, Is.LessThan(4 * 1024 * 1024), "bytes ever queued for the client that does not read");
        Assert.That(memoryDuring - memoryBefore, Is.LessThan(24L * 1024 * 1024), "managed heap growth during the attack");

        // Back-pressure, not a dead end: once the client reads, every request it sent is answered.
        var responses = 0;
        using var stopReading = new CancellationTokenSource();
        var reader = CountResponsesAsync(raw, () => Interlocked.Increment(ref responses), stopReading.Token);
        await attack.WaitAsync(Generous);
        await WaitUntilAsync(() => Volatile.Read(ref responses) >= sent, "every response", () => $"{Volatile.Read(ref responses)} of {sent}");
        Assert.That(Volatile.Read(ref responses), Is.EqualTo(sent));
        Assert.That(Volatile.Read(ref handled), Is.EqualTo(sent));
        Assert.That(host.Registry.TryGetConnection(attacked.Connection.Id, out _), Is.True, "the client that caught up keeps its connection");
        await stopReading.CancelAsync();
        Assert.That(Assert.CatchAsync<OperationCanceledException>(() => reader), Is.Not.Null);
    }

    private static byte[] PingMessage(int size)
    {
        var message = new ArrayBufferWriter<byte>(size);
        long opaque = 0;
        while (message.WrittenCount < size - 32)
        {
            ControlFrames.WritePing(message, FrameType.Ping, ++opaque);
        }

        return message.WrittenSpan.ToArray();
    }

    private static async Task<WsRestConnectionEvent> NextAsync(IAsyncEnumerator<WsRestConnectionEvent> events, WsRestConnectionEventKind kind)
    {
        while (true)
        {
            Assert.That(await events.MoveNextAsync().AsTask().WaitAsync(Generous), Is.True);
            if (events.Current.Kind == kind)
            {
                return events.Current;
            }
        }
    }

    /// <summary>Sends the bystander's requests one after another until <paramref name="until"/> ends; each must succeed.</summary>
    private static async Task<int> ServeWhileAsync(HttpClient bystander, Task until)
    {
        var served = 0;
        do
        {
            using var timeout = new CancellationTokenSource(Generous);
            Assert.That(await bystander.GetStringAsync("/ping", timeout.Token), Is.EqualTo("pong"));
            served++;
        }
        while (!until.IsCompleted);

        return served;
    }

    private static async Task<(WsRestErrorCode? Code, string? Reason)> ReceiveOnceClosingAsync(RawConnection raw, Engine.WsRestPeer peer)
    {
        await WaitUntilAsync(() => peer.IsClosing, "the server to fail the flooding connection", () => $"{peer.Backlog.Replies} replies queued");
        return await raw.ReceiveUntilClosedAsync();
    }

    private static async Task WaitUntilAsync(Func<bool> condition, string what, Func<string> state)
    {
        using var timeout = new CancellationTokenSource(Generous);
        while (!condition())
        {
            Assert.That(timeout.IsCancellationRequested, Is.False, () => $"timed out waiting for {what} ({state()})");
            await Task.Delay(1);
        }
    }

    /// <summary>Reads until cancelled, reporting each RESPONSE frame.</summary>
    private static async Task CountResponsesAsync(RawConnection raw, Action onResponse, CancellationToken cancellationToken)
    {
        var buffer = new ArrayBufferWriter<byte>();
        while (true)
        {
            var result = await raw.Socket.ReceiveAsync(buffer.GetMemory(64 * 1024), cancellationToken);
            Assert.That(result.MessageType, Is.EqualTo(WebSocketMessageType.Binary), $"the server closed: {raw.Socket.CloseStatusDescription}");
            buffer.Advance(result.Count);
            if (!result.EndOfMessage)
            {
                continue;
            }

            var span = buffer.WrittenSpan;
            while (!span.IsEmpty && FrameCodec.TryReadFrame(span, out var frame, out var consumed))
            {
                if (frame.Type == FrameType.Response)
                {
                    onResponse();
                }

                span = span[consumed..];
            }

            buffer.ResetWrittenCount();
        }
    }

    /// <summary>The attacker's sends either all went out or failed because the server closed the connection.</summary>
    private static async Task AssertEndedAsync(Task attack)
    {
        var ended = await Task.WhenAny(attack, Task.Delay(Generous));
        Assert.That(ended, Is.SameAs(attack), "the attacker's sends neither finished nor failed");
        Assert.That(attack.IsCompletedSuccessfully || attack.Exception?.InnerException is WebSocketException, Is.True, attack.Exception?.ToString());
    }
}
