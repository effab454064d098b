using System.Collections.Concurrent;

namespace WsRest.Engine;

/// <summary>
/// One timer for every peer that shares a clock and a tick period, as Kestrel drives every connection's
/// timeouts from one heartbeat: a peer joins when it starts and leaves when it ends. An idle connection
/// then holds a table entry instead of a timer of its own, and 10,000 idle connections cost one timer
/// callback per tick instead of 10,000 (docs/benchmarks.md, "Connection set-up and idle memory, issue 17").
/// </summary>
/// <remarks>
/// Each peer keeps its own <see cref="Heartbeat"/> state, which compares timestamps, so the tick's phase
/// does not matter: a peer that joins between two ticks is first checked less than a tick later, and a
/// dead peer is still detected within interval + timeout + one tick. The timer is made when the first
/// peer of its clock and period joins and disposed when the last leaves, so a test's clock is not kept alive.
/// </remarks>
internal sealed class HeartbeatTicker
{
    private static readonly Lock s_lock = new();
    private static readonly Dictionary<(TimeProvider Clock, TimeSpan Tick), HeartbeatTicker> s_tickers = [];

    private readonly (TimeProvider Clock, TimeSpan Tick) _key;
    // Enumerated by the tick without a lock (a snapshot-free walk that sees peers joining or leaving at
    // worst one tick late); changed only under s_lock. Writers are serialized, so one lock inside is enough.
    private readonly ConcurrentDictionary<WsRestPeer, byte> _peers = new(concurrencyLevel: 1, capacity: 31);
    private readonly ITimer _timer;
    private int _count;
    private int _ticking;

    private HeartbeatTicker((TimeProvider Clock, TimeSpan Tick) key)
    {
        _key = key;

        // The timer outlives the connection that happened to create it: it must not capture that
        // connection's execution context (its request's Activity, logging scopes) for its whole life.
        var suppress = !ExecutionContext.IsFlowSuppressed();
        if (suppress)
        {
            ExecutionContext.SuppressFlow();
        }

        try
        {
            _timer = key.Clock.CreateTimer(static state => ((HeartbeatTicker)state!).OnTick(), this, key.Tick, key.Tick);
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
    internal int Count => Volatile.Read(ref _count);

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

            if (ticker._peers.TryAdd(peer, 0))
            {
                ticker._count++;
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
            if (!_peers.TryRemove(peer, out _) || --_count > 0)
            {
                return;
            }

            s_tickers.Remove(_key);
            _timer.Dispose();
        }
    }

    private void OnTick()
    {
        // Timer callbacks overlap when the thread pool is starved; a tick still walking makes the next
        // one redundant (each peer's state compares timestamps, so a skipped tick only delays a check).
        if (Interlocked.Exchange(ref _ticking, 1) != 0)
        {
            return;
        }

        try
        {
            foreach (var entry in _peers)
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
