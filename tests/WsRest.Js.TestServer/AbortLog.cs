using System.Collections.Concurrent;

namespace WsRest.Js.TestServer;

/// <summary>Remembers which slow requests saw RequestAborted, so a test can ask after it cancelled one.</summary>
internal sealed class AbortLog
{
    private readonly ConcurrentDictionary<string, TaskCompletionSource<bool>> _outcomes = new(StringComparer.Ordinal);

    public TaskCompletionSource<bool> For(string id)
        => _outcomes.GetOrAdd(id, _ => new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously));
}
