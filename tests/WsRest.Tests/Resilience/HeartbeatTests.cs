using Microsoft.AspNetCore.Builder;
using WsRest.Server;
using WsRest.Tests.Infrastructure;

namespace WsRest.Tests.Resilience;

/// <summary>
/// The application heartbeat catches what WebSocket PING/PONG cannot: a peer whose socket answers
/// but whose engine is stuck. Time is a <see cref="ManualClock"/>, so nothing here sleeps.
/// </summary>
public class HeartbeatTests
{
    [Test]
    public async Task ServerDropsAClientThatAnswersWebSocketPingsButNoWsRestFrames()
    {
        var clock = new ManualClock();
        await using var host = await TestHost.StartWithHeartbeatClockAsync(clock);
        await using var events = host.Registry.WatchAsync().GetAsyncEnumerator();

        // A raw client completes the handshake, then its "engine" never reads or answers a frame.
        await using var stuck = await RawConnection.OpenAsync(host.WsRestEndpoint);
        Assert.That(await events.MoveNextAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(30)), Is.True);
        Assert.That(events.Current.Kind, Is.EqualTo(WsRestConnectionEventKind.Connected));

        // Silence for the interval: PING goes out. No answer for the timeout: the client is dead.
        clock.Advance(TimeSpan.FromMinutes(1));
        Assert.That(host.Registry.Count, Is.EqualTo(1), "a PING is due, nothing is dead yet");
        clock.Advance(TimeSpan.FromMinutes(2) + TimeSpan.FromSeconds(15));

        Assert.That(await events.MoveNextAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(30)), Is.True);
        Assert.That(events.Current.Kind, Is.EqualTo(WsRestConnectionEventKind.Failed));
        Assert.That(events.Current.Error, Is.InstanceOf<TimeoutException>());
        Assert.That(events.Current.Error!.Message, Does.Contain("heartbeat"));
    }

    [Test]
    public async Task AQuietConnectionIsPingedAndPingsAreAnsweredWithTheirPayload()
    {
        var clock = new ManualClock();
        await using var host = await TestHost.StartWithHeartbeatClockAsync(clock);
        await using var events = host.Registry.WatchAsync().GetAsyncEnumerator();
        await using var raw = await RawConnection.OpenAsync(host.WsRestEndpoint);

        // The server's engine (and its heartbeat timer) starts once READY is read: wait for it.
        Assert.That(await events.MoveNextAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(30)), Is.True);

        // The server pings a connection that has been silent for the interval...
        clock.Advance(TimeSpan.FromMinutes(1) + TimeSpan.FromSeconds(15));
        var ping = await raw.ReceiveFrameAsync(WsRest.Protocol.FrameType.Ping);
        Assert.That(ping.StreamId, Is.Zero);
        Assert.That(ping.Payload, Has.Length.EqualTo(8));

        // ...and answers a PING with a PONG that echoes its eight bytes.
        byte[] opaque = [1, 2, 3, 4, 5, 6, 7, 8];
        await raw.SendFrameAsync(WsRest.Protocol.FrameType.Ping, WsRest.Protocol.FrameFlags.None, 0, opaque);
        var pong = await raw.ReceiveFrameAsync(WsRest.Protocol.FrameType.Pong);
        Assert.That(pong.Payload, Is.EqualTo(opaque));
    }
}
