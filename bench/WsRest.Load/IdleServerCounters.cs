using System.Diagnostics.Metrics;

namespace WsRest.Load;

/// <summary>
/// The server's own view of its connections, from the published meters: Kestrel's open TCP
/// connections (every kind counts, so the raw and HTTP/1.1 rows are checked on the server too) and the
/// bytes WsRest read from its WebSockets (during an idle hold only heartbeats arrive).
/// Start before the server, so no connection is missed.
/// </summary>
internal sealed class IdleServerCounters : IDisposable
{
    private const string KestrelMeter = "Microsoft.AspNetCore.Server.Kestrel";
    private const string KestrelActiveConnections = "kestrel.active_connections";
    private const string WsRestReceivedInstrument = "wsrest.io.received";

    private readonly MeterListener _listener = new();
    private long _kestrelConnections;
    private long _wsRestBytesReceived;

    public IdleServerCounters()
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if ((instrument.Meter.Name == KestrelMeter && instrument.Name == KestrelActiveConnections)
                || (instrument.Meter.Name == WsRest.Diagnostics.WsRestTelemetry.MeterName && instrument.Name == WsRestReceivedInstrument))
            {
                listener.EnableMeasurementEvents(instrument, this);
            }
        };
        _listener.SetMeasurementEventCallback<long>(static (instrument, value, _, state) =>
        {
            var counters = (IdleServerCounters)state!;
            if (instrument.Name == KestrelActiveConnections)
            {
                Interlocked.Add(ref counters._kestrelConnections, value);
            }
            else
            {
                Interlocked.Add(ref counters._wsRestBytesReceived, value);
            }
        });
        _listener.Start();
    }

    /// <summary>TCP connections Kestrel holds open now (the sum of its up/down counter).</summary>
    public long KestrelConnections => Interlocked.Read(ref _kestrelConnections);

    /// <summary>Bytes WsRest connections have received since the start.</summary>
    public long WsRestBytesReceived => Interlocked.Read(ref _wsRestBytesReceived);

    public void Dispose() => _listener.Dispose();
}
