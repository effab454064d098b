using System.Globalization;

namespace WsRest.Load;

/// <summary>
/// Command line: <c>[--duration 5] [--warmup 2] [--concurrency 1,16,64,256] [--echo-concurrency 16]
/// [--wire-requests 1000] [--rounds 1] [--alloc-profile] [--transports http11,http2,wsrest,wsrest-deflate,wsrest-json,signalr,raw]
/// [--large-size-mib 64] [--large-concurrency 1] [--large-requests 16]</c>, or for the pub/sub fan-out
/// instead: <c>--pubsub [--deliveries 10000000] [--lossless-deliveries 2000000] [--pubsub-timeout 30]</c>,
/// or for the upload memory run instead: <c>--upload-memory [--upload-size-mib 256] [--uploads 16] [--upload-rate-mib 16]</c>,
/// or for idle-connection memory: <c>--idle [--idle-connections 10000] [--idle-hold S] [--idle-kinds wsrest,raw,http11]</c>
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

    /// <summary><c>--upload-memory</c>: concurrent uploads to a slow handler, peak working set per transport.</summary>
    public bool UploadMemory { get; init; }

    public int UploadSizeMib { get; init; } = 256;

    public int Uploads { get; init; } = 16;

    /// <summary>What the slow handler reads per upload, in MiB/s (it pauses whenever it is ahead of that pace).</summary>
    public int UploadRateMib { get; init; } = 16;

    public static LoadOptions Parse(string[] args)
    {
        var duration = 5.0;
        var warmup = 2.0;
        IReadOnlyList<int> concurrency = [1, 16, 64, 256];
        var echoConcurrency = 16;
        var wireRequests = 1000;
        TransportKind[] transports = Enum.GetValues<TransportKind>();
        var pubSub = false;
        var deliveries = 10000000;
        var losslessDeliveries = 2000000;
        var pubSubTimeout = 30.0;
        var allocationProfile = false;
        var rounds = 1;
        var largeSizeMib = 64;
        int[] largeConcurrency = [1];
        var largeRequests = 16;
        var uploadMemory = false;
        var uploadSizeMib = 256;
        var uploads = 16;
        var uploadRateMib = 16;
        var idle = false;
        var idleConnections = 10000;
        double? idleHold = null;
        IdleKind[] idleKinds = Enum.GetValues<IdleKind>();
        for (var i = 0; i < args.Length; i++)
        {
            if (args[i] == "--pubsub")
            {
                pubSub = true;
                continue;
            }

            if (args[i] == "--alloc-profile")
            {
                allocationProfile = true;
                continue;
            }

            if (args[i] == "--upload-memory")
            {
                uploadMemory = true;
                continue;
            }

            if (args[i] == "--idle")
            {
                idle = true;
                continue;
            }

            var value = i + 1 < args.Length ? args[i + 1] : throw new ArgumentException($"Missing value after {args[i]}.");
            switch (args[i])
            {
                case "--duration":
                    duration = double.Parse(value, CultureInfo.InvariantCulture);
                    break;
                case "--warmup":
                    warmup = double.Parse(value, CultureInfo.InvariantCulture);
                    break;
                case "--concurrency":
                    concurrency = [.. value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(v => int.Parse(v, CultureInfo.InvariantCulture))];
                    break;
                case "--echo-concurrency":
                    echoConcurrency = int.Parse(value, CultureInfo.InvariantCulture);
                    break;
                case "--rounds":
                    rounds = int.Parse(value, CultureInfo.InvariantCulture);
                    break;
                case "--wire-requests":
                    wireRequests = int.Parse(value, CultureInfo.InvariantCulture);
                    break;
                case "--transports":
                    transports = [.. value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(ParseTransport).Order()];
                    break;
                case "--deliveries":
                    deliveries = int.Parse(value, CultureInfo.InvariantCulture);
                    break;
                case "--lossless-deliveries":
                    losslessDeliveries = int.Parse(value, CultureInfo.InvariantCulture);
                    break;
                case "--pubsub-timeout":
                    pubSubTimeout = double.Parse(value, CultureInfo.InvariantCulture);
                    break;
                case "--large-size-mib":
                    largeSizeMib = int.Parse(value, CultureInfo.InvariantCulture);
                    break;
                case "--large-concurrency":
                    largeConcurrency = ParseList(value);
                    break;
                case "--large-requests":
                    largeRequests = int.Parse(value, CultureInfo.InvariantCulture);
                    break;
                case "--upload-size-mib":
                    uploadSizeMib = int.Parse(value, CultureInfo.InvariantCulture);
                    break;
                case "--uploads":
                    uploads = int.Parse(value, CultureInfo.InvariantCulture);
                    break;
                case "--upload-rate-mib":
                    uploadRateMib = int.Parse(value, CultureInfo.InvariantCulture);
                    break;
                case "--idle-connections":
                    idleConnections = int.Parse(value, CultureInfo.InvariantCulture);
                    break;
                case "--idle-hold":
                    idleHold = double.Parse(value, CultureInfo.InvariantCulture);
                    break;
                case "--idle-kinds":
                    idleKinds = [.. value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(ParseIdleKind)];
                    break;
                default:
                    throw new ArgumentException($"Unknown option {args[i]}. Options: --duration S --warmup S --concurrency 1,16,64,256 --echo-concurrency N --wire-requests N --rounds N --transports http11,http2,wsrest,wsrest-deflate,wsrest-json,signalr,raw --alloc-profile --large-size-mib M --large-concurrency 1,4 --large-requests N; or --pubsub --deliveries D --lossless-deliveries D --pubsub-timeout S; or --upload-memory --upload-size-mib M --uploads N --upload-rate-mib R; or --idle --idle-connections N --idle-hold S --idle-kinds wsrest,raw,http11");
            }

            i++;
        }

        if (rounds is < 1 or > 20)
        {
            throw new ArgumentException("--rounds must be in 1..20.");
        }

        if (duration <= 0 || warmup < 0 || concurrency.Count == 0 || concurrency.Any(c => c < 1 || c > 4096) || echoConcurrency < 1 || wireRequests < 1 || transports.Length == 0 || deliveries < 10000 || losslessDeliveries < 10000 || pubSubTimeout <= 0)
        {
            throw new ArgumentException("Durations must be positive, concurrency levels in 1..4096, counts positive, delivery counts at least 10000.");
        }

        // 2047 MiB keeps a body's byte count and the raw endpoint's length message inside an int.
        if (largeSizeMib < 0 || largeSizeMib > 2047 || largeConcurrency.Length == 0 || largeConcurrency.Any(c => c < 1 || c > 64) || largeRequests < 1
            || uploadSizeMib < 1 || uploadSizeMib > 2047 || uploads < 1 || uploads > 100 || uploadRateMib < 1)
        {
            throw new ArgumentException("Large bodies: size 0..2047 MiB, concurrency 1..64, requests positive; uploads: size 1..2047 MiB, 1..100 uploads (WsRest's default stream limit), a positive rate.");
        }

        // Each end holds one socket per connection, and the limit is per process (ulimit -n, 20000 here).
        if (idleConnections is < 1 or > 18000 || idleHold is < 0 || idleKinds.Length == 0)
        {
            throw new ArgumentException("--idle-connections must be in 1..18000, --idle-hold non-negative, --idle-kinds not empty.");
        }

        return new LoadOptions(TimeSpan.FromSeconds(duration), TimeSpan.FromSeconds(warmup), concurrency, echoConcurrency, wireRequests, transports, pubSub, deliveries, losslessDeliveries, TimeSpan.FromSeconds(pubSubTimeout), allocationProfile, rounds,
            idle, idleConnections, idleHold is { } hold ? TimeSpan.FromSeconds(hold) : null, idleKinds)
        {
            LargeSizeMib = largeSizeMib,
            LargeConcurrency = largeConcurrency,
            LargeRequests = largeRequests,
            UploadMemory = uploadMemory,
            UploadSizeMib = uploadSizeMib,
            Uploads = uploads,
            UploadRateMib = uploadRateMib,
        };
    }

    private static int[] ParseList(string value) =>
        [.. value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(v => int.Parse(v, CultureInfo.InvariantCulture))];

    private static IdleKind ParseIdleKind(string name) => name.ToUpperInvariant() switch
    {
        "WSREST" => IdleKind.WsRest,
        "RAW" => IdleKind.RawWebSocket,
        "HTTP11" => IdleKind.Http11KeepAlive,
        _ => throw new ArgumentException($"Unknown idle kind '{name}': use wsrest, raw, http11."),
    };

    private static TransportKind ParseTransport(string name) => name.ToUpperInvariant() switch
    {
        "HTTP11" => TransportKind.Http11,
        "HTTP2" => TransportKind.Http2,
        "WSREST" => TransportKind.WsRest,
        "SIGNALR" => TransportKind.SignalR,
        "WSREST-DEFLATE" => TransportKind.WsRestDeflate,
        "WSREST-JSON" => TransportKind.WsRestJson,
        "RAW" => TransportKind.RawWebSocket,
        _ => throw new ArgumentException($"Unknown transport '{name}': use http11, http2, wsrest, wsrest-deflate, wsrest-json, signalr, raw."),
    };
}
