using System.Diagnostics.Metrics;

namespace WsRest.Load;

/// <summary>What one fan-out run measured. Client and server share the process: allocation and CPU are both ends.</summary>
internal sealed record PubSubResult(
    PubSubScenario Scenario,
    int Published,
    long Expected,
    long Handled,
    long GapCovered,
    long GapNotices,
    long Silent,
    long ServerDrops,
    long ClientDrops,
    TimeSpan PublishTime,
    TimeSpan Elapsed,
    long AllocatedBytes,
    TimeSpan CpuTime,
    bool Complete,
    string? Problem)
{
    /// <summary>Events handed to handlers per second, all subscriptions together, first publish to last accounted.</summary>
    public double DeliveriesPerSecond => Handled / Elapsed.TotalSeconds;

    public double PublishesPerSecond => Published / PublishTime.TotalSeconds;

    public double AllocatedBytesPerDelivery => Handled == 0 || AllocatedBytes < 0 ? double.NaN : (double)AllocatedBytes / Handled;

    public double CpuMicrosecondsPerDelivery => Handled == 0 ? double.NaN : CpuTime.TotalMicroseconds / Handled;
}

/// <summary>Counts <c>wsrest.pubsub.dropped</c> by role while a run lasts (only that instrument is enabled).</summary>
internal sealed class DropCounter : IDisposable
{
    private readonly MeterListener _listener = new();
    private long _server;
    private long _client;

    private DropCounter()
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == "WsRest" && instrument.Name == "wsrest.pubsub.dropped")
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((_, value, tags, _) =>
        {
            foreach (var tag in tags)
            {
                if (tag.Key == "wsrest.role")
                {
                    Interlocked.Add(ref (string?)tag.Value == "server" ? ref _server : ref _client, value);
                }
            }
        });
        _listener.Start();
    }

    public static DropCounter Start() => new();

    public (long Server, long Client) Stop()
    {
        Dispose();
        return (Interlocked.Read(ref _server), Interlocked.Read(ref _client));
    }

    public void Dispose() => _listener.Dispose();
}
