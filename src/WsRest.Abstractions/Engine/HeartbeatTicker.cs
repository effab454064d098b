using System.Collections.Concurrent;

namespace WsRest.Engine;

/// <summary>
/// One timer for every peer that shares a clock and a tick period, as Kestrel drives every connection's
/// timeouts from one heartbeat: a peer joins when it starts and leaves when it ends. An idle connection
/// then holds a table entry instead of a timer of its own, and 10,000 idle connections cost one timer
/// callback per tick instead of 10,000 (docs/benchmarks.md, "Connection set-up and idle memory, issue 17").
/// </summary>
/// <remarks>
/// Each peer keeps its own <see cref="Heartbeat"/> state, which compares timestamps, so the phase of its
/// visits does not matter: a peer is first checked less than a tick after it joins and then once per
/// tick, so a dead peer is still detected within interval + timeout + one tick. The timer is made when the first
/// peer of its clock and period joins and disposed when the last leaves, so a test's clock is not kept alive.
/// </remarks>
internal sealed class HeartbeatTicker
{
    private static readonly Lock s_lock = new();
    private static readonly Dictionary<(TimeProvider Clock, TimeSpan Tick), HeartbeatTicker> s_tickers = [];

    // The tick is cut into this many slots, each peer in one of them (in turn as they join), and the
    // timer visits one slot per slice: every peer is still checked once per tick, but the checks (and
    // the PINGs they send) are spread over the tick as separate timers spread them, instead of every
    // connection waking its writer at the same instant (seen with one walk per tick: 2.6 KB more heap per
    // idle connection after the first PINGs at 3,000 connections, against 0.3 KB with the slots).
    private const int Slots = 16;

    private readonly (TimeProvider Clock, TimeSpan Tick) _key;
    // Each slot's table is walked by the timer without a lock (a walk sees a peer that joins or leaves
    // meanwhile or not); changed only under s_lock, so one lock inside each is enough.
    private readonly ConcurrentDictionary<WsRestPeer, byte>[] _slots = new ConcurrentDictionary<WsRestPeer, byte>[Slots];
    private readonly Dictionary<WsRestPeer, int> _slotOf = [];
    private readonly ITimer _timer;
    private int _nextSlot;
    private int _visit;
    private int _ticking;

    private HeartbeatTicker((TimeProvider Clock, TimeSpan Tick) key)
    {
        _key = key;
        for (var i = 0; i < Slots; i++)
        {
            _slots[i] = new ConcurrentDictionary<WsRestPeer, byte>(concurrencyLevel: 1, capacity: 7);
        }

        // The timer outlives the connection that happened to create it: it must not capture that
        // connection's execution context (its request's Activity, logging scopes) for its whole life.
        var suppress = !ExecutionContext.IsFlowSuppressed();
        if (suppress)
        {
            ExecutionContext.SuppressFlow();
        }

        try
        {
            var slice = TimeSpan.FromTicks(Math.Max(key.Tick.Ticks / Slots, 1));
            _timer = key.Clock.CreateTimer(static state => ((HeartbeatTicker)state!).OnSlice(), this, slice, slice);
        }
        finally
        {
            if (suppress)
            {
                ExecutionContext.RestoreFlow();
            }
        }
    }

    /// <summary>Peers ticked by the timer of this clock and period (for tests and diagnostics).</summary>
    internal int Count
    {
        get
        {
            lock (s_lock)
            {
                return _slotOf.Count;
            }
        }
    }

    /// <summary>The ticker for <paramref name="clock"/> and <paramref name="tick"/>, if a peer uses it (for tests).</summary>
    internal static HeartbeatTicker? Find(TimeProvider clock, TimeSpan tick)
    {
        lock (s_lock)
        {
            return s_tickers.GetValueOrDefault((clock, tick));
        }
    }

    /// <summary>Adds <paramref name="peer"/> to the ticker of its clock and period, making it if none runs.</summary>
    public static HeartbeatTicker Join(WsRestPeer peer, TimeProvider clock, TimeSpan tick)
    {
        lock (s_lock)
        {
            if (!s_tickers.TryGetValue((clock, tick), out var ticker))
            {
                ticker = new HeartbeatTicker((clock, tick));
                s_tickers.Add((clock, tick), ticker);
            }

            if (!ticker._slotOf.ContainsKey(peer))
            {
                var slot = ticker._nextSlot;
                ticker._nextSlot = (slot + 1) % Slots;
                ticker._slotOf.Add(peer, slot);
                ticker._slots[slot].TryAdd(peer, 0);
            }

            return ticker;
        }
    }

    /// <summary>
    /// Takes <paramref name="peer"/> out; the last peer out disposes the timer. A tick already walking the
    /// table may still call the peer once, which a closing peer ignores.
    /// </summary>
    public void Leave(WsRestPeer peer)
    {
        lock (s_lock)
        {
            if (!_slotOf.Remove(peer, out var slot))
            {
                return;
            }

            _slots[slot].TryRemove(peer, out _);
            if (_slotOf.Count > 0)
            {
                return;
            }

            s_tickers.Remove(_key);
            _timer.Dispose();
        }
    }

    private void OnSlice()
    {
        // Timer callbacks overlap when the thread pool is starved; a slice still walking makes this one
        // wait its turn (each peer's state compares timestamps, so a skipped visit only delays a check).
        if (Interlocked.Exchange(ref _ticking, 1) != 0)
        {
            return;
        }

        try
        {
            var slot = _visit;
            _visit = (slot + 1) % Slots;
            foreach (var entry in _slots[slot])
            {
                entry.Key.OnHeartbeatTick();
            }
        }
        finally
        {
            Volatile.Write(ref _ticking, 0);
        }
    }
}
