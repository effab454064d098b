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
    /// <summary>What the server process spent from the first connect until it counted every connection.</summary>
    public IdleCost ServerCost { get; init; }

    /// <summary>What the client process spent opening them (first connect to last handshake).</summary>
    public IdleCost ClientCost { get; init; }

    public double ConnectionsPerSecond => Opened / ConnectElapsed.TotalSeconds;

    public double PerConnection(long bytes) => Opened == 0 ? double.NaN : (double)bytes / Opened;
}
