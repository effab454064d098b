using System.Collections.Concurrent;
using System.Diagnostics.Tracing;

namespace WsRest.Load;

/// <summary>
/// In-process allocation sampling (<c>--alloc-profile</c>): the runtime reports an allocation tick
/// about every 100 KB allocated, naming the type that crossed it; summing ticks by type shows where
/// the bytes go without an external profiler. Sampled, so small types are estimates, not counts.
/// </summary>
internal sealed class AllocationProfiler : EventListener
{
    private const EventKeywords GcKeyword = (EventKeywords)0x1;

    private readonly ConcurrentDictionary<string, long> _bytesByType = new();
    private volatile bool _recording;

    public void Start()
    {
        _bytesByType.Clear();
        _recording = true;
    }

    /// <summary>Stops and returns the sampled bytes by type, largest first.</summary>
    public IReadOnlyList<(string Type, long Bytes)> Stop()
    {
        _recording = false;
        return [.. _bytesByType.Select(p => (p.Key, p.Value)).OrderByDescending(p => p.Value)];
    }

    /// <summary>Writes the largest sampled types, per <paramref name="perUnit"/> units of work (connections, requests).</summary>
    public static void Print(TextWriter output, string label, IReadOnlyList<(string Type, long Bytes)> sampled, long perUnit)
    {
        output.WriteLine($"allocations by type (sampled), {label}, B per unit:");
        foreach (var (type, bytes) in sampled.Take(25))
        {
            output.WriteLine(string.Create(System.Globalization.CultureInfo.InvariantCulture, $"  {(double)bytes / perUnit,10:N0}  {type}"));
        }
    }

    protected override void OnEventSourceCreated(EventSource eventSource)
    {
        if (eventSource.Name == "Microsoft-Windows-DotNETRuntime")
        {
            EnableEvents(eventSource, EventLevel.Verbose, GcKeyword);
        }
    }

    protected override void OnEventWritten(EventWrittenEventArgs eventData)
    {
        // GCAllocationTick (id 10): AllocationAmount64 bytes since the last tick, TypeName the object that crossed it.
        if (!_recording || eventData.EventId != 10 || eventData.Payload is not { } payload || eventData.PayloadNames is not { } names)
        {
            return;
        }

        var typeIndex = names.IndexOf("TypeName");
        var amountIndex = names.IndexOf("AllocationAmount64");
        if (typeIndex < 0 || amountIndex < 0)
        {
            return;
        }

        var type = payload[typeIndex] as string ?? "?";
        var amount = Convert.ToInt64(payload[amountIndex], System.Globalization.CultureInfo.InvariantCulture);
        _bytesByType.AddOrUpdate(type, amount, (_, total) => total + amount);
    }
}
