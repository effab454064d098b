using System.Globalization;

namespace WsRest.Load;

/// <summary>
/// Command line: <c>[--duration 5] [--warmup 2] [--concurrency 1,16,64,256] [--echo-concurrency 16]
/// [--wire-requests 1000] [--transports http11,http2,wsrest,raw]</c>, or for the pub/sub fan-out
/// instead: <c>--pubsub [--deliveries 10000000] [--lossless-deliveries 2000000] [--pubsub-timeout 30]</c>,
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
    bool Idle = false,
    int IdleConnections = 10000,
    TimeSpan? IdleHold = null,
    IReadOnlyList<IdleKind>? IdleKinds = null)
{
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
                    throw new ArgumentException($"Unknown option {args[i]}. Options: --duration S --warmup S --concurrency 1,16,64,256 --echo-concurrency N --wire-requests N --transports http11,http2,wsrest,raw; or --pubsub --deliveries D --lossless-deliveries D --pubsub-timeout S; or --idle --idle-connections N --idle-hold S --idle-kinds wsrest,raw,http11");
            }

            i++;
        }

        if (duration <= 0 || warmup < 0 || concurrency.Count == 0 || concurrency.Any(c => c < 1 || c > 4096) || echoConcurrency < 1 || wireRequests < 1 || transports.Length == 0 || deliveries < 10000 || losslessDeliveries < 10000 || pubSubTimeout <= 0)
        {
            throw new ArgumentException("Durations must be positive, concurrency levels in 1..4096, counts positive, delivery counts at least 10000.");
        }

        // Each end holds one socket per connection, and the limit is per process (ulimit -n, 20000 here).
        if (idleConnections is < 1 or > 18000 || idleHold is < 0 || idleKinds.Length == 0)
        {
            throw new ArgumentException("--idle-connections must be in 1..18000, --idle-hold non-negative, --idle-kinds not empty.");
        }

        return new LoadOptions(TimeSpan.FromSeconds(duration), TimeSpan.FromSeconds(warmup), concurrency, echoConcurrency, wireRequests, transports, pubSub, deliveries, losslessDeliveries, TimeSpan.FromSeconds(pubSubTimeout),
            idle, idleConnections, idleHold is { } hold ? TimeSpan.FromSeconds(hold) : null, idleKinds);
    }

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
        "RAW" => TransportKind.RawWebSocket,
        _ => throw new ArgumentException($"Unknown transport '{name}': use http11, http2, wsrest, raw."),
    };
}
