using System.Text;
using WsRest.Client;

namespace WsRest.Redis.Tests.Infrastructure;

/// <summary>Records what one subscription's handler saw, and waits until it has seen a given sequence.</summary>
public sealed class EventRecorder
{
    private readonly Lock _lock = new();
    private readonly List<(long Sequence, string Text)> _events = [];
    private readonly List<(long From, long To)> _gaps = [];
    private readonly List<(long Sequence, TaskCompletionSource Done)> _waiters = [];
    private long _covered;

    public IReadOnlyList<(long Sequence, string Text)> Events
    {
        get
        {
            lock (_lock)
            {
                return [.. _events];
            }
        }
    }

    public IReadOnlyList<(long From, long To)> Gaps
    {
        get
        {
            lock (_lock)
            {
                return [.. _gaps];
            }
        }
    }

    public ValueTask Handle(WsRestEvent e, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            if (e.Kind == WsRestEventKind.Gap)
            {
                _gaps.Add((e.GapFrom, e.GapTo));
            }
            else
            {
                _events.Add((e.Sequence, Encoding.UTF8.GetString(e.Data.Span)));
            }

            _covered = Math.Max(_covered, e.Sequence);
            foreach (var waiter in _waiters.Where(w => w.Sequence <= _covered))
            {
                waiter.Done.TrySetResult();
            }

            _waiters.RemoveAll(w => w.Sequence <= _covered);
        }

        return ValueTask.CompletedTask;
    }

    /// <summary>Completes once an event or gap notice up to <paramref name="sequence"/> has been handled.</summary>
    public Task WaitForAsync(long sequence)
    {
        lock (_lock)
        {
            if (_covered >= sequence)
            {
                return Task.CompletedTask;
            }

            var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _waiters.Add((sequence, done));
            return done.Task.WaitAsync(Cluster.Generous);
        }
    }
}
