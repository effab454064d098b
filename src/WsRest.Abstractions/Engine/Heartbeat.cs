namespace WsRest.Engine;

/// <summary>
/// The application-level liveness check (docs/protocol.md §6.4) as a pure state machine: the peer
/// feeds it "something arrived" and clock ticks, and it answers what to do. No timers of its own, so
/// tests drive it with any clock.
/// </summary>
/// <remarks>
/// When nothing has arrived for <c>interval</c>, a PING is due; when a PING has been out for
/// <c>timeout</c> with still nothing arriving, the peer is dead. Any received message counts as
/// liveness, so a busy connection never pings. A dead peer is therefore detected within
/// interval + timeout, plus one tick.
/// </remarks>
internal sealed class Heartbeat
{
    private readonly long _interval;
    private readonly long _timeout;
    private long _lastReceived;
    private long _pingSentAt;
    private bool _pingOutstanding;

    public Heartbeat(TimeSpan interval, TimeSpan timeout, long now, long ticksPerSecond)
    {
        _interval = ToTicks(interval, ticksPerSecond);
        _timeout = ToTicks(timeout, ticksPerSecond);
        _lastReceived = now;
    }

    public enum Action
    {
        None,
        SendPing,
        PeerDead,
    }

    public void OnReceived(long now)
    {
        Volatile.Write(ref _lastReceived, now);
    }

    /// <summary>Called from one timer; never concurrently with itself.</summary>
    public Action OnTick(long now)
    {
        var lastReceived = Volatile.Read(ref _lastReceived);
        if (_pingOutstanding)
        {
            if (lastReceived >= _pingSentAt)
            {
                _pingOutstanding = false;
            }
            else if (now - _pingSentAt >= _timeout)
            {
                return Action.PeerDead;
            }
            else
            {
                return Action.None;
            }
        }

        if (now - lastReceived >= _interval)
        {
            _pingOutstanding = true;
            _pingSentAt = now;
            return Action.SendPing;
        }

        return Action.None;
    }

    private static long ToTicks(TimeSpan span, long ticksPerSecond) => (long)(span.TotalSeconds * ticksPerSecond);
}
