using WsRest.Server;

namespace WsRest.Soak;

/// <summary>
/// Publishes a sequence on each topic through the shared bus, one publish at a time per topic, so the last
/// returned sequence tells exactly which events certainly exist: everything up to it, and at most one more in flight.
/// </summary>
internal sealed class EventPublisher(IWsRestEventBus bus, IReadOnlyList<string> topics, int eventsPerSecond)
{
    private readonly long[] _lastPublished = new long[topics.Count];

    public IReadOnlyList<string> Topics => topics;

    public long LastPublished(string topic) => Interlocked.Read(ref _lastPublished[IndexOf(topic)]);

    public long Total => _lastPublished.Sum(static last => last);

    public async Task RunAsync(CancellationToken stop)
    {
        var payload = new byte[32];
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(1.0 / eventsPerSecond));
        try
        {
            while (await timer.WaitForNextTickAsync(stop).ConfigureAwait(false))
            {
                for (var i = 0; i < topics.Count; i++)
                {
                    var sequence = await bus.PublishAsync(topics[i], "application/octet-stream", payload, CancellationToken.None).ConfigureAwait(false);
                    if (sequence != Interlocked.Read(ref _lastPublished[i]) + 1)
                    {
                        throw new InvalidOperationException($"the bus numbered {topics[i]}'s event {sequence} after {_lastPublished[i]}");
                    }

                    Interlocked.Exchange(ref _lastPublished[i], sequence);
                }
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            // The run is over; every publish that started has finished.
        }
    }

    private int IndexOf(string topic)
    {
        for (var i = 0; i < topics.Count; i++)
        {
            if (topics[i] == topic)
            {
                return i;
            }
        }

        throw new ArgumentException($"not a soak topic: {topic}", nameof(topic));
    }
}
