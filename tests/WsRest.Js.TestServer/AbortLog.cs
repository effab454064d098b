using System.Collections.Concurrent;

namespace WsRest.Js.TestServer;

/// <summary>Remembers which slow requests saw RequestAborted, so a test can ask after it cancelled one.</summary>
internal sealed class AbortLog
{
    private readonly ConcurrentDictionary<string, TaskCompletionSource<bool>> _outcomes = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, TaskCompletionSource> _started = new(StringComparer.Ordinal);

    /// <summary>Completes with true when request <paramref name="id"/> saw RequestAborted, false when it ran to the end.</summary>
    public TaskCompletionSource<bool> For(string id)
        => _outcomes.GetOrAdd(id, _ => new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously));

    /// <summary>Completes when request <paramref name="id"/> reached its handler, so a test cancels it only then.</summary>
    public TaskCompletionSource Started(string id)
        => _started.GetOrAdd(id, _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
}
