using System.Collections.Concurrent;
using WsRest.Tests.Infrastructure;

namespace WsRest.Soak;

/// <summary>The faults, one at a time with quiet spells between them, chosen at random.</summary>
/// <param name="now">The run's clock, for the timeline a hung request is reported against.</param>
internal sealed class FaultInjector(FaultProxy proxy, SoakServer server, Random random, bool restarts, Func<TimeSpan> now)
{
    private readonly ConcurrentDictionary<string, int> _counts = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<(TimeSpan At, string Fault)> _timeline = new();

    public IEnumerable<KeyValuePair<string, int>> Counts => _counts.OrderBy(static c => c.Key, StringComparer.Ordinal);

    public int Total => _counts.Values.Sum();

    /// <summary>Every fault with the moment it started, in order.</summary>
    public IEnumerable<(TimeSpan At, string Fault)> Timeline => _timeline;

    /// <summary>Injects faults until <paramref name="stop"/>, then heals the network (pass-through, accepting).</summary>
    public async Task RunAsync(CancellationToken stop)
    {
        try
        {
            while (!stop.IsCancellationRequested)
            {
                await Task.Delay(random.Next(500, 2500), stop).ConfigureAwait(false);
                await InjectOneAsync(stop).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            // The run is over.
        }
        finally
        {
            Heal();
        }
    }

    private async Task InjectOneAsync(CancellationToken stop)
    {
        var pick = random.Next(restarts ? 100 : 75);
        switch (pick)
        {
            case < 25:
                Count("reset (RST both ways)");
                proxy.ResetAll();
                break;
            case < 40:
                // Half-open: only the heartbeats (1 s + 3 s) notice it.
                Count("blackhole (1-5 s)");
                proxy.Blackhole();
                await HoldAsync(random.Next(1000, 5000), stop).ConfigureAwait(false);
                break;
            case < 60:
                Count("delay (10-200 ms per chunk, 1-4 s)");
                proxy.Delay(TimeSpan.FromMilliseconds(random.Next(10, 200)));
                await HoldAsync(random.Next(1000, 4000), stop).ConfigureAwait(false);
                break;
            case < 75:
                // Every connection is reset and reconnects are refused for a while: failed reconnects, backoff.
                Count("refuse (reset, then refuse new connections 0.5-3 s)");
                proxy.RejectNew();
                proxy.ResetAll();
                await HoldAsync(random.Next(500, 3000), stop).ConfigureAwait(false);
                break;
            case < 88:
                Count("server restart, rolling (GOAWAY)");
                await server.RestartAsync(rolling: true, TimeSpan.Zero, target => proxy.Target = target, CancellationToken.None).ConfigureAwait(false);
                break;
            default:
                Count("server restart with downtime 0.2-2 s (GOAWAY)");
                await server.RestartAsync(rolling: false, TimeSpan.FromMilliseconds(random.Next(200, 2000)), target => proxy.Target = target, CancellationToken.None).ConfigureAwait(false);
                break;
        }

        Heal();
    }

    private static async Task HoldAsync(int milliseconds, CancellationToken stop)
    {
        try
        {
            await Task.Delay(milliseconds, stop).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            // Healed by the caller.
        }
    }

    private void Heal()
    {
        proxy.PassThrough();
        proxy.RejectNew(false);
    }

    private void Count(string fault)
    {
        _counts.AddOrUpdate(fault, 1, static (_, n) => n + 1);
        _timeline.Enqueue((now(), fault));
    }
}
