using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Runtime.CompilerServices;

namespace WsRest.Diagnostics;

/// <summary>
/// The instruments, named after OpenTelemetry's conventions (docs/observability.md). Every recording
/// checks <see cref="Instrument.Enabled"/> first, so an unobserved process pays a field read.
/// </summary>
/// <remarks>
/// One set per <see cref="IMeterFactory"/>, as ASP.NET Core's meters come from the container's factory
/// (the server, and clients the container creates): a test's <c>MetricCollector</c> or an app's own
/// listener sees its app's measurements only. A client built without a container records on
/// <see cref="Shared"/>, one meter of the same name for the process.
/// </remarks>
internal sealed class WsRestMetrics
{
    private static readonly ConditionalWeakTable<IMeterFactory, WsRestMetrics> s_byFactory = [];

    private WsRestMetrics(Meter meter)
    {
        Meter = meter;
        ActiveConnections = meter.CreateUpDownCounter<long>("wsrest.connection.active", "{connection}", "Open WsRest connections.");
        ConnectionDuration = meter.CreateHistogram<double>("wsrest.connection.duration", "s", "How long WsRest connections lived.");
        Reconnects = meter.CreateCounter<long>("wsrest.client.reconnects", "{reconnect}", "Successful client reconnections.");
        Requests = meter.CreateCounter<long>("wsrest.requests", "{request}", "Requests sent or served, by direction, method and status.");
        RequestDuration = meter.CreateHistogram<double>("wsrest.request.duration", "s", "Outgoing: until the response head arrived. Incoming: until the handler finished.");
        ActiveStreams = meter.CreateUpDownCounter<long>("wsrest.stream.active", "{stream}", "Requests in flight on WsRest connections.");
        BytesSent = meter.CreateCounter<long>("wsrest.io.sent", "By", "WsRest frame bytes written to WebSockets, before permessage-deflate if negotiated (message payloads, not socket bytes).");
        BytesReceived = meter.CreateCounter<long>("wsrest.io.received", "By", "WsRest frame bytes read from WebSockets, after permessage-deflate if negotiated (message payloads, not socket bytes).");
        FramesPerMessage = meter.CreateHistogram<int>("wsrest.io.frames_per_message", "{frame}", "Frames the writer batched into one WebSocket message.");
        EventsPublished = meter.CreateCounter<long>("wsrest.pubsub.published", "{event}", "Events published (server and client publishers).");
        EventsDelivered = meter.CreateCounter<long>("wsrest.pubsub.delivered", "{event}", "Events sent to subscribers (server) or handled (client).");
        EventsDropped = meter.CreateCounter<long>("wsrest.pubsub.dropped", "{event}", "Events dropped for slow subscribers; each drop becomes a gap notice.");
        EventQueueDepth = meter.CreateUpDownCounter<long>("wsrest.pubsub.queue.depth", "{event}", "Events waiting in per-connection (server) or per-subscription (client) queues.");
    }

    /// <summary>For what no container created (<c>new WsRestClient(options)</c>): a process-wide meter.</summary>
    public static WsRestMetrics Shared { get; } = new(new Meter(WsRestTelemetry.MeterName));

    public Meter Meter { get; }

    public UpDownCounter<long> ActiveConnections { get; }

    public Histogram<double> ConnectionDuration { get; }

    public Counter<long> Reconnects { get; }

    public Counter<long> Requests { get; }

    public Histogram<double> RequestDuration { get; }

    public UpDownCounter<long> ActiveStreams { get; }

    public Counter<long> BytesSent { get; }

    public Counter<long> BytesReceived { get; }

    public Histogram<int> FramesPerMessage { get; }

    public Counter<long> EventsPublished { get; }

    public Counter<long> EventsDelivered { get; }

    public Counter<long> EventsDropped { get; }

    public UpDownCounter<long> EventQueueDepth { get; }

    /// <summary>The instruments on <paramref name="meterFactory"/>'s meter (one set per factory), or <see cref="Shared"/> without one.</summary>
    public static WsRestMetrics For(IMeterFactory? meterFactory)
        => meterFactory is null ? Shared : s_byFactory.GetValue(meterFactory, static factory => new WsRestMetrics(factory.Create(WsRestTelemetry.MeterName)));

    /// <summary>As OpenTelemetry and ASP.NET Core do: a method token the peer made up is "_OTHER", so it cannot multiply metric series.</summary>
    public static string KnownMethod(string method) => method switch
    {
        "GET" or "POST" or "PUT" or "DELETE" or "PATCH" or "HEAD" or "OPTIONS" or "TRACE" or "CONNECT" => method,
        _ => "_OTHER",
    };

    public static KeyValuePair<string, object?> Role(bool isServer) => new("wsrest.role", isServer ? "server" : "client");

    public void RecordRequest(string direction, string method, int statusCode, string? errorType, long startTimestamp)
    {
        if (!Requests.Enabled && !RequestDuration.Enabled)
        {
            return;
        }

        var tags = new TagList
        {
            { "wsrest.direction", direction },
            { "http.request.method", KnownMethod(method) },
        };
        if (statusCode > 0)
        {
            tags.Add("http.response.status_code", statusCode);
        }

        if (errorType is not null)
        {
            tags.Add("error.type", errorType);
        }

        Requests.Add(1, tags);
        RequestDuration.Record(Stopwatch.GetElapsedTime(startTimestamp).TotalSeconds, tags);
    }
}
