namespace WsRest.Server.Dispatch;

/// <summary>
/// The timer behind a minimum data rate: armed while one read or write waits for the peer, it calls
/// back once if the wait outlasts what the rate allows. Made on the first wait that does not complete
/// at once, so a request whose data is always there has none.
/// </summary>
internal sealed class DataRateTimer : IDisposable
{
    private const int Idle = 0;
    private const int Armed = 1;
    private const int Fired = 2;

    private readonly ITimer _timer;
    private readonly Action<object> _onTooSlow;
    private readonly object _owner;
    private int _state;

    public DataRateTimer(TimeProvider clock, Action<object> onTooSlow, object owner)
    {
        _onTooSlow = onTooSlow;
        _owner = owner;
        _timer = clock.CreateTimer(static state => ((DataRateTimer)state!).Fire(), this, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
    }

    /// <summary>The callback ran for the current wait.</summary>
    public bool HasFired => Volatile.Read(ref _state) == Fired;

    public void Arm(TimeSpan allowed)
    {
        Volatile.Write(ref _state, Armed);

        // Bytes already moved can earn more time than a timer can be set for (1 GiB at 240 B/s is 52
        // days; timers stop at 49.7): a wait that long is not worth watching.
        _timer.Change(allowed < MaxDue ? allowed : Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
    }

    private static readonly TimeSpan MaxDue = TimeSpan.FromDays(30);

    /// <summary>Stops the timer; false when it fired first (the wait was too slow, whatever happened since).</summary>
    public bool Disarm()
    {
        _timer.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        return Interlocked.Exchange(ref _state, Idle) != Fired;
    }

    public void Dispose() => _timer.Dispose();

    private void Fire()
    {
        // Only a wait still armed is cut off: one that just completed lost the race and is left alone.
        if (Interlocked.CompareExchange(ref _state, Fired, Armed) == Armed)
        {
            _onTooSlow(_owner);
        }
    }
}
