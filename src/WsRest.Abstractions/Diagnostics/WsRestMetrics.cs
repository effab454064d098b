using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace WsRest.Diagnostics;

/// <summary>
/// The instruments, named after OpenTelemetry's conventions (docs/observability.md). Every recording
/// checks <see cref="Instrument.Enabled"/> first, so an unobserved process pays a field read.
/// </summary>
internal static class WsRestMetrics
{
    public static readonly Meter Meter = new(WsRestTelemetry.MeterName);

    public static readonly UpDownCounter<long> ActiveConnections = Meter.CreateUpDownCounter<long>("wsrest.connection.active", "{connection}", "Open WsRest connections.");

    public static readonly Histogram<double> ConnectionDuration = Meter.CreateHistogram<double>("wsrest.connection.duration", "s", "How long WsRest connections lived.");

    public static readonly Counter<long> Reconnects = Meter.CreateCounter<long>("wsrest.client.reconnects", "{reconnect}", "Successful client reconnections.");

    public static readonly Counter<long> Requests = Meter.CreateCounter<long>("wsrest.requests", "{request}", "Requests sent or served, by direction, method and status.");

    public static readonly Histogram<double> RequestDuration = Meter.CreateHistogram<double>("wsrest.request.duration", "s", "Outgoing: until the response head arrived. Incoming: until the handler finished.");

    public static readonly UpDownCounter<long> ActiveStreams = Meter.CreateUpDownCounter<long>("wsrest.stream.active", "{stream}", "Requests in flight on WsRest connections.");

    public static readonly Counter<long> BytesSent = Meter.CreateCounter<long>("wsrest.io.sent", "By", "WsRest frame bytes written to WebSockets, before permessage-deflate if negotiated (message payloads, not socket bytes).");

    public static readonly Counter<long> BytesReceived = Meter.CreateCounter<long>("wsrest.io.received", "By", "WsRest frame bytes read from WebSockets, after permessage-deflate if negotiated (message payloads, not socket bytes).");

    public static readonly Histogram<int> FramesPerMessage = Meter.CreateHistogram<int>("wsrest.io.frames_per_message", "{frame}", "Frames the writer batched into one WebSocket message.");

    public static readonly Counter<long> EventsPublished = Meter.CreateCounter<long>("wsrest.pubsub.published", "{event}", "Events published (server and client publishers).");

    public static readonly Counter<long> EventsDelivered = Meter.CreateCounter<long>("wsrest.pubsub.delivered", "{event}", "Events sent to subscribers (server) or handled (client).");

    public static readonly Counter<long> EventsDropped = Meter.CreateCounter<long>("wsrest.pubsub.dropped", "{event}", "Events dropped for slow subscribers; each drop becomes a gap notice.");

    public static readonly UpDownCounter<long> EventQueueDepth = Meter.CreateUpDownCounter<long>("wsrest.pubsub.queue.depth", "{event}", "Events waiting in per-connection (server) or per-subscription (client) queues.");

    /// <summary>As OpenTelemetry and ASP.NET Core do: a method token the peer made up is "_OTHER", so it cannot multiply metric series.</summary>
    public static string KnownMethod(string method) => method switch
    {
        "GET" or "POST" or "PUT" or "DELETE" or "PATCH" or "HEAD" or "OPTIONS" or "TRACE" or "CONNECT" => method,
        _ => "_OTHER",
    };

    public static KeyValuePair<string, object?> Role(bool isServer) => new("wsrest.role", isServer ? "server" : "client");

    public static void RecordRequest(string direction, string method, int statusCode, string? errorType, long startTimestamp)
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
