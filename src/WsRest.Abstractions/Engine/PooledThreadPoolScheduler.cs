using System.Collections.Concurrent;
using System.IO.Pipelines;

namespace WsRest.Engine;

/// <summary>
/// Runs pipe continuations on the thread pool, as <see cref="PipeScheduler.ThreadPool"/> does, through
/// reused work items. The stock scheduler queues each (action, state) pair with
/// <c>ThreadPool.UnsafeQueueUserWorkItem</c>, which allocates a 32-byte wrapper every time a waiting
/// body reader is woken: once per DATA frame for a streaming body whose reader keeps up
/// (bench/WsRest.Benchmarks, <c>ReaderBenchmarks.DataFramesToWaitingReader</c>).
/// </summary>
/// <remarks>
/// No execution context flows through here, exactly as on the stock scheduler's path that
/// <see cref="Pipe"/> uses: a pipe that captured a reader's context runs the continuation inside it itself.
/// </remarks>
internal sealed class PooledThreadPoolScheduler : PipeScheduler
{
    // Idle items kept for reuse. More can be in flight at once (many readers woken together); the
    // extras go to the GC, so a burst does not pin memory for the life of the process.
    private const int MaxPooled = 256;

    private readonly ConcurrentQueue<WorkItem> _pool = new();
    private int _pooled;

    public static PooledThreadPoolScheduler Instance { get; } = new();

    public override void Schedule(Action<object?> action, object? state)
    {
        if (_pool.TryDequeue(out var item))
        {
            Interlocked.Decrement(ref _pooled);
        }
        else
        {
            item = new WorkItem(this);
        }

        item.Arm(action, state);
        System.Threading.ThreadPool.UnsafeQueueUserWorkItem(item, preferLocal: false);
    }

    private void Return(WorkItem item)
    {
        if (Interlocked.Increment(ref _pooled) <= MaxPooled)
        {
            _pool.Enqueue(item);
        }
        else
        {
            Interlocked.Decrement(ref _pooled);
        }
    }

    private sealed class WorkItem(PooledThreadPoolScheduler owner) : IThreadPoolWorkItem
    {
        private Action<object?>? _action;
        private object? _state;

        public void Arm(Action<object?> action, object? state)
        {
            _action = action;
            _state = state;
        }

        public void Execute()
        {
            var action = _action!;
            var state = _state;
            _action = null;
            _state = null;

            // Back to the pool before running: the continuation may well read again and be woken
            // (scheduled) before this call returns.
            owner.Return(this);
            action(state);
        }
    }
}
