using WsRest;

namespace WsRest.Soak;

/// <summary>
/// What one subscription's handler saw, checked against docs/pubsub.md's guarantees: serial, increasing
/// sequences, and every event published while it was live handled or inside a gap notice exactly once.
/// </summary>
internal sealed class SubscriptionAudit(string topic)
{
    private readonly Lock _gate = new();
    private readonly List<(long From, long To, bool Gap)> _seen = [];
    private readonly List<string> _violations = [];
    private long _last;
    private int _running;

    public string Topic => topic;

    /// <summary>The handler; it checks order and seriality as events arrive.</summary>
    public ValueTask OnEventAsync(WsRestEvent e, CancellationToken cancellationToken)
    {
        if (Interlocked.Exchange(ref _running, 1) != 0)
        {
            Violation("the handler ran twice at once");
        }

        var (from, to, gap) = e.Kind == WsRestEventKind.Gap ? (e.GapFrom, e.GapTo, true) : (e.Sequence, e.Sequence, false);
        lock (_gate)
        {
            if (from <= _last)
            {
                _violations.Add($"{topic}: {(gap ? "gap" : "event")} {from}..{to} after {_last} (out of order or twice)");
            }

            _seen.Add((from, to, gap));
            _last = Math.Max(_last, to);
        }

        Volatile.Write(ref _running, 0);
        return ValueTask.CompletedTask;
    }

    /// <summary>
    /// After the unsubscribe completed: each sequence in [<paramref name="first"/>, <paramref name="last"/>], the
    /// events certainly published while the subscription was live, must have been handled or reported exactly once.
    /// When the unsubscribe completed across a lost connection (<paramref name="unacknowledged"/>), it completes
    /// without the server (docs/pubsub.md, "Unsubscribing while no connection can acknowledge it completes at
    /// once"), so the events after the last one handled are counted apart, not as silent losses.
    /// </summary>
    public EventCounts Account(long first, long last, bool unacknowledged)
    {
        lock (_gate)
        {
            long received = 0, gapped = 0, lost = 0, twice = 0, unaccounted = 0;
            if (unacknowledged && _last < last)
            {
                unaccounted = last - Math.Max(_last, first - 1);
                last = _last;
            }

            var covered = new Dictionary<long, int>();
            foreach (var (from, to, gap) in _seen)
            {
                for (var s = Math.Max(from, first); s <= Math.Min(to, last); s++)
                {
                    covered[s] = covered.GetValueOrDefault(s) + 1;
                }

                received += gap ? 0 : 1;
                gapped += gap ? to - from + 1 : 0;
            }

            for (var s = first; s <= last; s++)
            {
                var times = covered.GetValueOrDefault(s);
                if (times == 0)
                {
                    lost++;
                    if (lost <= 3)
                    {
                        _violations.Add($"{topic}: event {s} neither handled nor in a gap notice (live {first}..{last}; seen around it: {Around(s)})");
                    }
                }
                else if (times > 1)
                {
                    twice++;
                }
            }

            return new EventCounts(1, received, gapped, lost, twice, unaccounted);
        }
    }

    /// <summary>What the handler saw just before and after <paramref name="sequence"/>, in arrival order, for the report.</summary>
    private string Around(long sequence)
    {
        var next = _seen.FindIndex(e => e.From > sequence);
        var start = Math.Max(0, (next < 0 ? _seen.Count : next) - 2);
        return string.Join(", ", _seen.Skip(start).Take(4).Select(static e => e.Gap ? $"gap {e.From}..{e.To}" : $"{e.From}"));
    }

    public IReadOnlyList<string> Violations
    {
        get
        {
            lock (_gate)
            {
                return [.. _violations];
            }
        }
    }

    public long LastSequence
    {
        get
        {
            lock (_gate)
            {
                return _last;
            }
        }
    }

    private void Violation(string message)
    {
        lock (_gate)
        {
            _violations.Add($"{topic}: {message}");
        }
    }
}

/// <summary>Event accounting summed over subscriptions; <see cref="AfterUnacknowledgedUnsubscribe"/> counts the tails described in <see cref="SubscriptionAudit.Account"/>.</summary>
internal readonly record struct EventCounts(long Subscriptions, long Received, long GapReported, long SilentlyLost, long Twice, long AfterUnacknowledgedUnsubscribe)
{
    public static EventCounts operator +(EventCounts a, EventCounts b)
        => new(a.Subscriptions + b.Subscriptions, a.Received + b.Received, a.GapReported + b.GapReported, a.SilentlyLost + b.SilentlyLost, a.Twice + b.Twice, a.AfterUnacknowledgedUnsubscribe + b.AfterUnacknowledgedUnsubscribe);
}
