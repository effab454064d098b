using Polly;

namespace WsRest.Client;

/// <summary>
/// How a <see cref="WsRestClient"/> reconnects after losing its connection. By default it retries
/// forever with exponential backoff and jitter (1 s doubling to at most 30 s); docs/resilience.md.
/// </summary>
public sealed class WsRestReconnectOptions
{
    /// <summary>Reconnect after a lost connection. Default true. When false, a lost connection closes the client.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>Give up after this many failed attempts (then the client closes); null retries forever. Default null.</summary>
    public int? MaxAttempts { get; set; }

    /// <summary>Delay before the first retry; it doubles per attempt. Default 1 s. The first attempt after a loss is immediate.</summary>
    public TimeSpan InitialDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Upper bound of a single delay. Default 30 s.</summary>
    public TimeSpan MaxDelay { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Randomise delays (decorrelated jitter) so many clients do not reconnect in lockstep. Default true.</summary>
    public bool UseJitter { get; set; } = true;

    /// <summary>
    /// Replaces the built-in retry: each reconnect runs through this pipeline, which should retry
    /// <see cref="HttpRequestException"/>. When set, <see cref="MaxAttempts"/>, the delays and jitter are not used.
    /// </summary>
    public ResiliencePipeline? Pipeline { get; set; }

    /// <summary>
    /// How many requests may wait for a connection while the client is reconnecting; more fail at once
    /// with <see cref="HttpRequestException"/>. Default 1000.
    /// </summary>
    public int MaxPendingRequests { get; set; } = 1000;
}
