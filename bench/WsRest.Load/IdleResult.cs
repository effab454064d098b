namespace WsRest.Load;

/// <summary>
/// One kind's idle measurement. Memory deltas are against the same process just before the
/// connections opened (after a warm-up round of that kind), each after a full GC.
/// </summary>
internal sealed record IdleResult(
    IdleKind Kind,
    int Requested,
    int Opened,
    TimeSpan ConnectElapsed,
    IdleMemory AfterOpen,
    IdleMemory AfterHold,
    TimeSpan Hold,
    int AliveOnClient,
    long OpenOnServer,
    long DroppedOnServer,
    long HeartbeatBytes,
    string? Problem)
{
    public double ConnectionsPerSecond => Opened / ConnectElapsed.TotalSeconds;

    public double PerConnection(long bytes) => Opened == 0 ? double.NaN : (double)bytes / Opened;
}
