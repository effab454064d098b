using System.Buffers;
using System.Collections.Concurrent;
using System.Diagnostics.Tracing;

namespace WsRest.Tests.Fuzz;

/// <summary>
/// Counts the buffers of <see cref="ArrayPool{T}.Shared"/> (bytes) rented and not yet returned, through the
/// runtime's own <c>System.Buffers.ArrayPoolEventSource</c>: the engine, its pipes and the WebSocket all rent from
/// that pool, so a buffer a session forgot to return shows up here without any hook in the engine.
/// </summary>
/// <remarks>
/// Process-wide: it is only meaningful while nothing else in the process rents (the fuzzer runs one session at a
/// time; NUnit runs this repository's tests one at a time). Buffer ids are the arrays' hash codes, so two live
/// buffers can share an id; the count per id keeps that exact.
/// </remarks>
internal sealed class PooledBufferMonitor : EventListener
{
    private const string SourceName = "System.Buffers.ArrayPoolEventSource";
    private const int BufferRented = 1;
    private const int BufferReturned = 3;

    private static readonly int SharedPoolId = ArrayPool<byte>.Shared.GetHashCode();
    private readonly ConcurrentDictionary<int, int> _outstanding = new();
    private readonly ConcurrentDictionary<int, string>? _stacks;
    private volatile bool _ready;

    /// <param name="captureStacks">Keep the stack of every rent still outstanding, to find who leaked (slow: for reproducing one session).</param>
    public PooledBufferMonitor(bool captureStacks = false)
    {
        _stacks = captureStacks ? new() : null;
        _ready = true;
    }

    /// <summary>With stack capture on: where each outstanding buffer was rented, grouped, most frequent first.</summary>
    public IEnumerable<string> OutstandingStacks()
        => _stacks is null
            ? []
            : _outstanding.Where(static b => b.Value > 0).Select(b => _stacks.GetValueOrDefault(b.Key, "?"))
                .GroupBy(static s => s).OrderByDescending(static g => g.Count()).Select(static g => $"{g.Count()} buffers rented at:\n{g.Key}");

    /// <summary>Buffers rented since this monitor started and not returned.</summary>
    public int Outstanding => _outstanding.Values.Sum(static n => Math.Max(n, 0));

    protected override void OnEventSourceCreated(EventSource eventSource)
    {
        if (eventSource.Name == SourceName)
        {
            EnableEvents(eventSource, EventLevel.Verbose, EventKeywords.All);
        }
    }

    protected override void OnEventWritten(EventWrittenEventArgs eventData)
    {
        // Events can arrive before the constructor finished (OnEventSourceCreated runs from the base constructor).
        if (!_ready || eventData.Payload is not { Count: >= 3 } payload || payload[2] is not int poolId || poolId != SharedPoolId)
        {
            return;
        }

        var bufferId = (int)payload[0]!;
        switch (eventData.EventId)
        {
            case BufferRented:
                _outstanding.AddOrUpdate(bufferId, 1, static (_, n) => n + 1);
                if (_stacks is not null)
                {
                    _stacks[bufferId] = string.Join('\n', Environment.StackTrace.Split('\n').Skip(4).Where(static l => l.Contains("WsRest", StringComparison.Ordinal)).Take(8));
                }

                break;
            case BufferReturned:
                // A buffer rented before the monitor started goes below zero and is ignored by Outstanding.
                _outstanding.AddOrUpdate(bufferId, -1, static (_, n) => n - 1);
                break;
        }
    }
}
