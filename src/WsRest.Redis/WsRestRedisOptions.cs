namespace WsRest.Redis;

/// <summary>Settings of the Redis backplane (docs/scale-out.md).</summary>
public sealed class WsRestRedisOptions
{
    /// <summary>The prefix of every Redis key and channel this backplane uses; nodes of one cluster share it. Default <c>wsrest</c>.</summary>
    public string KeyPrefix { get; set; } = "wsrest";

    /// <summary>This node's name in the cluster: unique per running node. Default: the machine name and 8 random hex digits.</summary>
    public string? NodeId { get; set; }

    /// <summary>Events kept per topic in its Redis stream for resuming subscribers (the stream is trimmed to exactly this length). Default 1000.</summary>
    public int ReplayLength { get; set; } = 1000;

    /// <summary>How often this node renews its heartbeat in Redis and tells the peers of its cross-node calls it is alive. Default 1 s.</summary>
    public TimeSpan HeartbeatInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// A node not heard from for this long is dead: its connections leave the cluster registry and its
    /// cross-node calls fail. At least twice <see cref="HeartbeatInterval"/>. Default 5 s.
    /// </summary>
    public TimeSpan NodeTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Body bytes per Redis message of a cross-node reverse call. Default 64 KiB.</summary>
    public int ReverseCallChunkSize { get; set; } = 64 * 1024;

    /// <summary>Body chunks of one cross-node reverse call that may be in Redis at once before the sender waits (back-pressure). Default 8.</summary>
    public int ReverseCallWindow { get; set; } = 8;
}
