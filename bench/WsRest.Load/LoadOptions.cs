namespace WsRest.Load;

/// <summary>
/// What the command line asked for (<see cref="LoadCommandLine"/> parses it; <c>--help</c> lists every
/// option with its default). In short: <c>[--duration 5] [--warmup 2] [--concurrency 1,16,64,256] [--echo-concurrency 16]
/// [--wire-requests 1000] [--rounds 1] [--alloc-profile] [--transports http11,http2,wsrest,wsrest-deflate,wsrest-json,signalr,raw,raw-batch]
/// [--large-size-mib 64] [--large-concurrency 1] [--large-requests 16]</c>, or for the pub/sub fan-out
/// instead: <c>--pubsub [--deliveries 10000000] [--lossless-deliveries 2000000] [--pubsub-timeout 30]</c>,
/// or for the upload memory run instead: <c>--upload-memory [--upload-size-mib 256] [--uploads 16] [--upload-rate-mib 16]</c>,
/// or for idle-connection memory: <c>--idle [--idle-connections 10000] [--idle-hold S] [--idle-kinds wsrest,raw,http11]</c>,
/// or across nodes joined through Redis: <c>--cluster [--cluster-events 20000] [--cluster-calls 2000]</c>
/// (hold default: one heartbeat interval and a bit, see <see cref="IdleBench"/>).
/// </summary>
internal sealed record LoadOptions(
    TimeSpan Duration,
    TimeSpan Warmup,
    IReadOnlyList<int> Concurrency,
    int EchoConcurrency,
    int WireRequests,
    IReadOnlyList<TransportKind> Transports,
    bool PubSub = false,
    int Deliveries = 10000000,
    int LosslessDeliveries = 2000000,
    TimeSpan PubSubTimeout = default,
    bool AllocationProfile = false,
    int Rounds = 1,
    bool Idle = false,
    int IdleConnections = 10000,
    TimeSpan? IdleHold = null,
    IReadOnlyList<IdleKind>? IdleKinds = null)
{
    /// <summary>Body size of the large download and upload scenarios (<c>--large-size-mib</c>, 0 leaves them out).</summary>
    public int LargeSizeMib { get; init; } = 64;

    /// <summary>Requests in flight in the large scenarios, one scenario per level (<c>--large-concurrency 1,4</c>).</summary>
    public IReadOnlyList<int> LargeConcurrency { get; init; } = [1];

    /// <summary>Measured requests per (large scenario, transport), after one warm-up request per loop.</summary>
    public int LargeRequests { get; init; } = 16;

    /// <summary><c>--cluster</c>: three nodes joined through a local redis-server beside one node (<see cref="ClusterBench"/>).</summary>
    public bool Cluster { get; init; }

    /// <summary>Events published per setup in <c>--cluster</c> (<c>--cluster-events</c>).</summary>
    public int ClusterEvents { get; init; } = 20000;

    /// <summary>Reverse calls per measurement in <c>--cluster</c> (<c>--cluster-calls</c>).</summary>
    public int ClusterCalls { get; init; } = 2000;

    /// <summary><c>--upload-memory</c>: concurrent uploads to a slow handler, peak working set per transport.</summary>
    public bool UploadMemory { get; init; }

    public int UploadSizeMib { get; init; } = 256;

    public int Uploads { get; init; } = 16;

    /// <summary>What the slow handler reads per upload, in MiB/s (it pauses whenever it is ahead of that pace).</summary>
    public int UploadRateMib { get; init; } = 16;
}
