using System.Net;
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

    /// <summary>
    /// Whether requests wait for the next connection while the client is backing off between failed
    /// attempts. Default false: as in gRPC (wait-for-ready off), a request waits only for an attempt in
    /// progress, and fails at once with <see cref="HttpRequestException"/>
    /// (<see cref="HttpRequestError.ConnectionError"/>, the last attempt's error inside) once an attempt
    /// has failed, instead of waiting out its timeout for a server that is down. True makes every
    /// request wait (bounded by its own token, <see cref="MaxPendingRequests"/> and the client giving
    /// up); <see cref="WsRestClientRequestOptions.WaitForReady"/> decides per request.
    /// </summary>
    public bool WaitForReady { get; set; }

    /// <summary>
    /// Decides whether a failed connection attempt is a refusal that retrying cannot heal: then the
    /// client stops reconnecting, closes, and fails the waiting requests with that error. Default
    /// <see cref="IsPermanentRefusal"/>; <c>_ => false</c> retries everything (as before).
    /// Applies to a <see cref="Pipeline"/> of your own too.
    /// </summary>
    public Func<HttpRequestException, bool> IsPermanentFailure { get; set; } = IsPermanentRefusal;

    /// <summary>
    /// The default of <see cref="IsPermanentFailure"/>: the server answered the WebSocket upgrade with
    /// 401, 403 or 404 (<see cref="HttpRequestException.StatusCode"/>), or refused the protocol version
    /// in the handshake. A timeout, a refused TCP connection, a 5xx or a 429 is retried.
    /// </summary>
    /// <param name="error">The attempt's error, as <see cref="WsRestClient.ConnectAsync"/> would throw it.</param>
    public static bool IsPermanentRefusal(HttpRequestException error)
    {
        ArgumentNullException.ThrowIfNull(error);
        return error.StatusCode is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden or HttpStatusCode.NotFound
            || error.InnerException is WsRestProtocolException { ErrorCode: WsRestErrorCode.UnsupportedVersion };
    }
}
