using WsRest.Engine;

namespace WsRest.Abstractions.Tests;

/// <summary>The heartbeat state machine, driven tick by tick with plain numbers as time (1 tick = 1 s).</summary>
public class HeartbeatStateTests
{
    private static Heartbeat Create() => new(TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(20), now: 0, ticksPerSecond: 1);

    [Test]
    public void NoPingBeforeTheIntervalOfSilence()
    {
        var heartbeat = Create();

        Assert.That(heartbeat.OnTick(9), Is.EqualTo(Heartbeat.Action.None));
        Assert.That(heartbeat.OnTick(10), Is.EqualTo(Heartbeat.Action.SendPing));
    }

    [Test]
    public void TrafficPostponesThePing()
    {
        var heartbeat = Create();
        heartbeat.OnReceived(8);

        Assert.That(heartbeat.OnTick(17), Is.EqualTo(Heartbeat.Action.None));
        Assert.That(heartbeat.OnTick(18), Is.EqualTo(Heartbeat.Action.SendPing));
    }

    [Test]
    public void AnUnansweredPingDeclaresThePeerDeadAfterTheTimeout()
    {
        var heartbeat = Create();
        Assert.That(heartbeat.OnTick(10), Is.EqualTo(Heartbeat.Action.SendPing));

        Assert.That(heartbeat.OnTick(20), Is.EqualTo(Heartbeat.Action.None), "one ping at a time");
        Assert.That(heartbeat.OnTick(29), Is.EqualTo(Heartbeat.Action.None));
        Assert.That(heartbeat.OnTick(30), Is.EqualTo(Heartbeat.Action.PeerDead), "interval + timeout of silence");
    }

    [Test]
    public void AnAnswerClearsTheOutstandingPing()
    {
        var heartbeat = Create();
        Assert.That(heartbeat.OnTick(10), Is.EqualTo(Heartbeat.Action.SendPing));
        heartbeat.OnReceived(12);

        Assert.That(heartbeat.OnTick(21), Is.EqualTo(Heartbeat.Action.None));
        Assert.That(heartbeat.OnTick(22), Is.EqualTo(Heartbeat.Action.SendPing), "the next silence interval starts from the answer");
        Assert.That(heartbeat.OnTick(42), Is.EqualTo(Heartbeat.Action.PeerDead));
    }
}
