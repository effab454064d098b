using System.Collections.Concurrent;

namespace WsRest.Soak;

/// <summary>
/// The server's record of every POST it executed, by the client's unique id. It outlives the restarted
/// servers (as a database would), so "ran twice" is checked across restarts too.
/// </summary>
internal sealed class PostLedger
{
    private readonly ConcurrentDictionary<string, int> _executions = new(StringComparer.Ordinal);

    /// <summary>Records one execution; returns how many times this id has now run.</summary>
    public int Record(string id) => _executions.AddOrUpdate(id, 1, static (_, count) => count + 1);

    public int ExecutionsOf(string id) => _executions.TryGetValue(id, out var count) ? count : 0;

    public int Count => _executions.Count;

    public IEnumerable<string> RanMoreThanOnce() => _executions.Where(static e => e.Value > 1).Select(static e => $"{e.Key} ×{e.Value}");
}
