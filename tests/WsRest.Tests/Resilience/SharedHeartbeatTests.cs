using Microsoft.AspNetCore.Builder;
using WsRest.Engine;
using WsRest.Server;
using WsRest.Tests.Infrastructure;

namespace WsRest.Tests.Resilience;

/// <summary>
/// The connections of a server share one heartbeat timer per clock and period (<see cref="HeartbeatTicker"/>,
/// issue 17): each still has its own liveness state, so a dead peer is detected on time while a live
/// one beside it stays, and the timer goes away with the last connection. Time is a <see cref="ManualClock"/>.
/// </summary>
public class SharedHeartbeatTests
{
    // TestHost.StartWithHeartbeatClockAsync: 1 min interval, 2 min timeout, so the tick is 15 s.
    private static readonly TimeSpan Tick = TimeSpan.FromSeconds(15);

    [Test]
    public async Task OnASharedTickADeadPeerIsDroppedAndALiveOneBesideItStays()
    {
        var clock = new ManualClock();
        await using var host = await TestHost.StartWithHeartbeatClockAsync(clock);
        await using var events = host.Registry.WatchAsync().GetAsyncEnumerator();

        // A live client (its engine answers PINGs) and, later, a raw one whose engine never answers.
        using var live = await host.CreateWsRestHttpClientAsync();
        var connected = await NextAsync(events);
        Assert.That(connected.Kind, Is.EqualTo(WsRestConnectionEventKind.Connected));
        clock.Advance(TimeSpan.FromSeconds(20));
        await using var stuck = await RawConnection.OpenAsync(host.WsRestEndpoint);
        var stuckConnected = await NextAsync(events);
        Assert.That(stuckConnected.Kind, Is.EqualTo(WsRestConnectionEventKind.Connected));
        Assert.That(HeartbeatTicker.Find(clock, Tick)?.Count, Is.EqualTo(2), "both connections on one timer");

        // Interval + timeout + one tick after the stuck connection opened (its checks fall anywhere in the
        // tick: the timer visits one sixteenth of the connections per slice), plus a tick of slack: it is dead.
        for (var elapsed = TimeSpan.Zero; elapsed < TimeSpan.FromMinutes(3) + (2 * Tick); elapsed += Tick)
        {
            clock.Advance(Tick);

            // Let the live client's PONG arrive before the clock moves on (its PING went out on this tick).
            Assert.That(await live.GetStringAsync("/ping").WaitAsync(TimeSpan.FromSeconds(30)), Is.EqualTo("pong"));
        }

        var failed = await NextAsync(events);
        Assert.That(failed.Kind, Is.EqualTo(WsRestConnectionEventKind.Failed));
        Assert.That(failed.Connection.Id, Is.EqualTo(stuckConnected.Connection.Id));
        Assert.That(failed.Error!.Message, Does.Contain("heartbeat"));
        Assert.That(host.Registry.TryGetConnection(connected.Connection.Id, out _), Is.True, "the live connection stays");
        Assert.That(HeartbeatTicker.Find(clock, Tick)?.Count, Is.EqualTo(1));
    }

    [Test]
    public async Task TheSharedTimerGoesAwayWithTheLastConnection()
    {
        var clock = new ManualClock();
        await using var host = await TestHost.StartWithHeartbeatClockAsync(clock);
        await using var events = host.Registry.WatchAsync().GetAsyncEnumerator();
        var raw = await RawConnection.OpenAsync(host.WsRestEndpoint);
        Assert.That((await NextAsync(events)).Kind, Is.EqualTo(WsRestConnectionEventKind.Connected));
        Assert.That(HeartbeatTicker.Find(clock, Tick), Is.Not.Null);

        await raw.DisposeAsync();
        var closed = await NextAsync(events);
        Assert.That(closed.Kind, Is.AnyOf(WsRestConnectionEventKind.Closed, WsRestConnectionEventKind.Failed));

        // The registry reports the end after the peer completed, and the peer leaves its ticker before that.
        Assert.That(HeartbeatTicker.Find(clock, Tick), Is.Null);
    }

    private static async Task<WsRestConnectionEvent> NextAsync(IAsyncEnumerator<WsRestConnectionEvent> events)
    {
        Assert.That(await events.MoveNextAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(30)), Is.True);
        return events.Current;
    }
}
