using System.Globalization;

namespace WsRest.Load;

/// <summary>
/// Command line: <c>[--duration 5] [--warmup 2] [--concurrency 1,16,64,256] [--echo-concurrency 16]
/// [--wire-requests 1000] [--alloc-profile] [--transports http11,http2,wsrest,wsrest-deflate,signalr,raw]</c>, or for the pub/sub fan-out
/// instead: <c>--pubsub [--deliveries 10000000] [--lossless-deliveries 2000000] [--pubsub-timeout 30]</c>.
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
    bool AllocationProfile = false)
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
        var allocationProfile = false;
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
                default:
                    throw new ArgumentException($"Unknown option {args[i]}. Options: --duration S --warmup S --concurrency 1,16,64,256 --echo-concurrency N --wire-requests N --transports http11,http2,wsrest,wsrest-deflate,signalr,raw; or --pubsub --deliveries D --lossless-deliveries D --pubsub-timeout S");
            }

            i++;
        }

        if (duration <= 0 || warmup < 0 || concurrency.Count == 0 || concurrency.Any(c => c < 1 || c > 4096) || echoConcurrency < 1 || wireRequests < 1 || transports.Length == 0 || deliveries < 10000 || losslessDeliveries < 10000 || pubSubTimeout <= 0)
        {
            throw new ArgumentException("Durations must be positive, concurrency levels in 1..4096, counts positive, delivery counts at least 10000.");
        }

        return new LoadOptions(TimeSpan.FromSeconds(duration), TimeSpan.FromSeconds(warmup), concurrency, echoConcurrency, wireRequests, transports, pubSub, deliveries, losslessDeliveries, TimeSpan.FromSeconds(pubSubTimeout), allocationProfile);
    }

    private static TransportKind ParseTransport(string name) => name.ToUpperInvariant() switch
    {
        "HTTP11" => TransportKind.Http11,
        "HTTP2" => TransportKind.Http2,
        "WSREST" => TransportKind.WsRest,
        "SIGNALR" => TransportKind.SignalR,
        "WSREST-DEFLATE" => TransportKind.WsRestDeflate,
        "RAW" => TransportKind.RawWebSocket,
        _ => throw new ArgumentException($"Unknown transport '{name}': use http11, http2, wsrest, wsrest-deflate, signalr, raw."),
    };
}
