using System.Globalization;

namespace WsRest.Load;

/// <summary>
/// What the server process holds at one moment, after a full blocking GC: the managed heap the GC
/// reports live, the memory the GC has committed for it (live objects, free space it keeps, its own
/// bookkeeping), and what the kernel counts as resident (all of it, and its anonymous part, which is
/// what grows with connections: GC heap, native buffers, thread stacks).
/// </summary>
internal readonly record struct IdleMemory(long ManagedBytes, long CommittedBytes, long WorkingSetBytes, long RssAnonBytes)
{
    public static IdleMemory Take()
    {
        // Twice with the finalizers between: objects that finalizers release are gone by the second pass.
        // Aggressive: the GC also decommits the free space it keeps for later allocations, so the resident
        // figures below are closer to what the live objects need.
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
        GC.WaitForPendingFinalizers();
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
        var managed = GC.GetTotalMemory(forceFullCollection: false);
        var committed = GC.GetGCMemoryInfo(GCKind.Any).TotalCommittedBytes;
        return new IdleMemory(managed, committed, ReadStatus("VmRSS:") ?? Environment.WorkingSet, ReadStatus("RssAnon:") ?? 0);
    }

    public static IdleMemory operator -(IdleMemory after, IdleMemory before) => new(
        after.ManagedBytes - before.ManagedBytes,
        after.CommittedBytes - before.CommittedBytes,
        after.WorkingSetBytes - before.WorkingSetBytes,
        after.RssAnonBytes - before.RssAnonBytes);

    /// <summary>A line of /proc/self/status in bytes ("VmRSS:  1234 kB"); null where there is none (not Linux).</summary>
    private static long? ReadStatus(string key)
    {
        const string Path = "/proc/self/status";
        if (!File.Exists(Path))
        {
            return null;
        }

        foreach (var line in File.ReadLines(Path))
        {
            if (line.StartsWith(key, StringComparison.Ordinal))
            {
                var value = line.AsSpan(key.Length).Trim();
                var space = value.IndexOf(' ');
                return long.Parse(space < 0 ? value : value[..space], CultureInfo.InvariantCulture) * 1024;
            }
        }

        return null;
    }
}
