namespace WsRest.Load;

/// <summary>
/// What opening the connections cost one process: bytes allocated and CPU time (all its threads),
/// from the first connect until every connection was counted. Unlike the rate, neither moves much
/// with the machine's load, so they are the before/after evidence for the connection set-up.
/// </summary>
internal readonly record struct IdleCost(long AllocatedBytes, TimeSpan Cpu)
{
    public static IdleCost Now() => new(GC.GetTotalAllocatedBytes(precise: false), Environment.CpuUsage.TotalTime);

    public static IdleCost operator -(IdleCost after, IdleCost before) => new(after.AllocatedBytes - before.AllocatedBytes, after.Cpu - before.Cpu);
}
