using System.CommandLine;
using System.CommandLine.Parsing;
using WsRest.CommandLine;

namespace WsRest.Load;

/// <summary>
/// The load program's command line (System.CommandLine): the request/response comparison by default, or
/// one of the modes <c>--pubsub</c>, <c>--upload-memory</c>, <c>--idle</c>, <c>--cluster</c>, each with its
/// own options. <c>--help</c> lists them all with their defaults; docs/benchmarks.md explains them.
/// A new mode is one more flag here, its options, and a branch in <see cref="Bind"/>'s caller (Program.cs).
/// </summary>
internal sealed class LoadCommandLine
{
    private static readonly int[] s_concurrency = [1, 16, 64, 256];
    private static readonly int[] s_largeConcurrency = [1];
    private static readonly TransportKind[] s_transports = Enum.GetValues<TransportKind>();
    private static readonly IdleKind[] s_idleKinds = Enum.GetValues<IdleKind>();

    private readonly Option<double> _duration = CommandLines.Number<double>("--duration", "Measured window per (scenario, transport, round), in seconds", 5, v => v > 0, "must be positive");
    private readonly Option<double> _warmup = CommandLines.Number<double>("--warmup", "Warm-up before each window, in seconds", 2, v => v >= 0, "must not be negative");
    private readonly Option<int[]> _concurrency = CommandLines.CommaList("--concurrency", "Requests in flight of the small GET, one scenario per level (1..4096 each)", s_concurrency.Select(c => $"{c}"), CommandLines.IntegerIn(1, 4096), "N[,N...]");
    private readonly Option<int> _echoConcurrency = CommandLines.Number("--echo-concurrency", "Requests in flight of the 4 KiB POST echo", 16, v => v >= 1, "must be positive");
    private readonly Option<int> _wireRequests = CommandLines.Number("--wire-requests", "Sequential small GETs counted by the wire-bytes proxy", 1000, v => v >= 1, "must be positive");
    private readonly Option<int> _rounds = CommandLines.Number("--rounds", "Rounds per scenario, transports rotated each round; the median round is shown (1..20)", 1, v => v is >= 1 and <= 20, "must be in 1..20");
    private readonly Option<TransportKind[]> _transports = CommandLines.CommaList("--transports", "Transports compared, run in this program's fixed order", s_transports.Select(TransportName), ParseTransport, "http11,http2,wsrest,wsrest-deflate,wsrest-json,signalr,raw,raw-batch");
    private readonly Option<bool> _allocationProfile = new("--alloc-profile") { Description = "Also report allocations per request by type" };
    private readonly Option<int> _largeSizeMib = CommandLines.Number("--large-size-mib", "Body size of the large download and upload scenarios in MiB (0 leaves them out, at most 2047)", 64, v => v is >= 0 and <= 2047, "must be in 0..2047");
    private readonly Option<int[]> _largeConcurrency = CommandLines.CommaList("--large-concurrency", "Requests in flight in the large scenarios, one scenario per level (1..64 each)", s_largeConcurrency.Select(c => $"{c}"), CommandLines.IntegerIn(1, 64), "N[,N...]");
    private readonly Option<int> _largeRequests = CommandLines.Number("--large-requests", "Measured requests per (large scenario, transport)", 16, v => v >= 1, "must be positive");

    private readonly Option<bool> _pubSub = new("--pubsub") { Description = "Mode: pub/sub event fan-out instead of request/response" };
    private readonly Option<int> _deliveries = CommandLines.Number("--deliveries", "--pubsub: deliveries per lossy scenario (at least 10000)", 10000000, v => v >= 10000, "must be at least 10000");
    private readonly Option<int> _losslessDeliveries = CommandLines.Number("--lossless-deliveries", "--pubsub: deliveries per lossless scenario (at least 10000)", 2000000, v => v >= 10000, "must be at least 10000");
    private readonly Option<double> _pubSubTimeout = CommandLines.Number<double>("--pubsub-timeout", "--pubsub: time limit per scenario, in seconds", 30, v => v > 0, "must be positive");

    private readonly Option<bool> _uploadMemory = new("--upload-memory") { Description = "Mode: concurrent uploads to a slow handler, peak working set per transport" };
    private readonly Option<int> _uploadSizeMib = CommandLines.Number("--upload-size-mib", "--upload-memory: size of each upload in MiB (1..2047)", 256, v => v is >= 1 and <= 2047, "must be in 1..2047");
    private readonly Option<int> _uploads = CommandLines.Number("--uploads", "--upload-memory: concurrent uploads (1..100, WsRest's default stream limit)", 16, v => v is >= 1 and <= 100, "must be in 1..100");
    private readonly Option<int> _uploadRateMib = CommandLines.Number("--upload-rate-mib", "--upload-memory: what the slow handler reads per upload, in MiB/s", 16, v => v >= 1, "must be positive");

    private readonly Option<bool> _idle = new("--idle") { Description = "Mode: memory per idle connection on the server" };
    private readonly Option<int> _idleConnections = CommandLines.Number("--idle-connections", "--idle: connections per kind (1..18000: one socket each end, per-process file limit)", 10000, v => v is >= 1 and <= 18000, "must be in 1..18000");
    private readonly Option<double?> _idleHold = CommandLines.OptionalNumber<double>("--idle-hold", "--idle: seconds the connections are held idle [default: one heartbeat interval and a quarter, plus 1 s]", v => v >= 0, "must not be negative");
    private readonly Option<IdleKind[]> _idleKinds = CommandLines.CommaList("--idle-kinds", "--idle: kinds of connection measured", s_idleKinds.Select(IdleKindName), ParseIdleKind, "wsrest,raw,http11");

    private readonly Option<bool> _cluster = new("--cluster") { Description = "Mode: three nodes joined through a local redis-server beside one node" };
    private readonly Option<int> _clusterEvents = CommandLines.Number("--cluster-events", "--cluster: events published per setup", 20000, v => v >= 1, "must be positive");
    private readonly Option<int> _clusterCalls = CommandLines.Number("--cluster-calls", "--cluster: reverse calls per measurement", 2000, v => v >= 1, "must be positive");

    /// <summary>The root command; its action binds the options and runs <paramref name="run"/>.</summary>
    public RootCommand Create(Func<LoadOptions, Task<int>> run)
    {
        var root = new RootCommand("""
            WsRest.Load: compares HTTP/1.1, HTTP/2, WsRest, SignalR and raw WebSockets side by side in one process
            (docs/benchmarks.md). Without a mode flag it runs the request/response scenarios; a mode flag
            (--pubsub, --upload-memory, --idle, --cluster) runs that measurement instead, with the options named after it.
            Exit code: 0 no failed requests, 1 failures seen, 2 bad command line.
            """);
        Option[] options =
        [
            _duration, _warmup, _concurrency, _echoConcurrency, _wireRequests, _rounds, _transports, _allocationProfile,
            _largeSizeMib, _largeConcurrency, _largeRequests,
            _pubSub, _deliveries, _losslessDeliveries, _pubSubTimeout,
            _uploadMemory, _uploadSizeMib, _uploads, _uploadRateMib,
            _idle, _idleConnections, _idleHold, _idleKinds,
            _cluster, _clusterEvents, _clusterCalls,
        ];
        foreach (var option in options)
        {
            root.Options.Add(option);
        }

        root.Validators.Add(OneModeAtMost);
        root.SetAction(parsed => run(Bind(parsed)));
        return root;
    }

    /// <summary>The options of a command line that parsed without errors.</summary>
    public LoadOptions Bind(ParseResult parsed) =>
        new(
            TimeSpan.FromSeconds(parsed.GetValue(_duration)),
            TimeSpan.FromSeconds(parsed.GetValue(_warmup)),
            parsed.ListOrDefault(_concurrency, s_concurrency),
            parsed.GetValue(_echoConcurrency),
            parsed.GetValue(_wireRequests),
            [.. (parsed.ListOrDefault(_transports, s_transports)).Distinct().Order()],
            parsed.GetValue(_pubSub),
            parsed.GetValue(_deliveries),
            parsed.GetValue(_losslessDeliveries),
            TimeSpan.FromSeconds(parsed.GetValue(_pubSubTimeout)),
            parsed.GetValue(_allocationProfile),
            parsed.GetValue(_rounds),
            parsed.GetValue(_idle),
            parsed.GetValue(_idleConnections),
            parsed.GetValue(_idleHold) is { } hold ? TimeSpan.FromSeconds(hold) : null,
            parsed.ListOrDefault(_idleKinds, s_idleKinds))
        {
            LargeSizeMib = parsed.GetValue(_largeSizeMib),
            LargeConcurrency = parsed.ListOrDefault(_largeConcurrency, s_largeConcurrency),
            LargeRequests = parsed.GetValue(_largeRequests),
            UploadMemory = parsed.GetValue(_uploadMemory),
            UploadSizeMib = parsed.GetValue(_uploadSizeMib),
            Uploads = parsed.GetValue(_uploads),
            UploadRateMib = parsed.GetValue(_uploadRateMib),
            Cluster = parsed.GetValue(_cluster),
            ClusterEvents = parsed.GetValue(_clusterEvents),
            ClusterCalls = parsed.GetValue(_clusterCalls),
        };

    // Each mode is a different program in the same process shape; two at once used to run the first silently.
    private void OneModeAtMost(CommandResult result)
    {
        var modes = new[] { _pubSub, _uploadMemory, _idle, _cluster }.Where(mode => result.GetValue(mode)).Select(mode => mode.Name).ToList();
        if (modes.Count > 1)
        {
            result.AddError($"Choose one mode, not {string.Join(" and ", modes)}.");
        }
    }

    private static string TransportName(TransportKind kind) => kind switch
    {
        TransportKind.Http11 => "http11",
        TransportKind.Http2 => "http2",
        TransportKind.WsRest => "wsrest",
        TransportKind.WsRestDeflate => "wsrest-deflate",
        TransportKind.WsRestJson => "wsrest-json",
        TransportKind.SignalR => "signalr",
        TransportKind.RawWebSocket => "raw",
        TransportKind.RawBatch => "raw-batch",
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };

    private static TransportKind? ParseTransport(string name) =>
        s_transports.Select(k => (TransportKind?)k).FirstOrDefault(k => string.Equals(TransportName(k!.Value), name, StringComparison.OrdinalIgnoreCase));

    private static string IdleKindName(IdleKind kind) => kind switch
    {
        IdleKind.WsRest => "wsrest",
        IdleKind.RawWebSocket => "raw",
        IdleKind.Http11KeepAlive => "http11",
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };

    private static IdleKind? ParseIdleKind(string name) =>
        s_idleKinds.Select(k => (IdleKind?)k).FirstOrDefault(k => string.Equals(IdleKindName(k!.Value), name, StringComparison.OrdinalIgnoreCase));
}
