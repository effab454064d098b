namespace WsRest.Client;

/// <summary>What happened to a <see cref="WsRestClient"/>'s connection.</summary>
public enum WsRestClientEventKind
{
    /// <summary>A connection attempt started that is not a reconnect: the first, or the first after a failed one.</summary>
    Connecting,

    /// <summary>A handshake completed (first connection or reconnection); <see cref="WsRestClientEvent.ConnectionId"/> is the new id.</summary>
    Connected,

    /// <summary>
    /// An established connection was lost or retired by the server (GOAWAY); <see cref="WsRestClientEvent.Error"/>
    /// says why, null for a graceful end. Raised only after <see cref="Connected"/>.
    /// </summary>
    Disconnected,

    /// <summary>
    /// A reconnect attempt is about to run, after <see cref="WsRestClientEvent.Delay"/>;
    /// <see cref="WsRestClientEvent.Error"/> is why: the lost connection's reason for the first attempt
    /// (null after a GOAWAY), the previous attempt's failure for the others.
    /// </summary>
    Reconnecting,

    /// <summary>A reconnect succeeded; queued requests now flow.</summary>
    Reconnected,

    /// <summary>
    /// The client is closed for good: disposed, reconnect disabled, attempts exhausted or a refusal that
    /// retrying cannot heal (<see cref="WsRestClientEvent.Error"/>).
    /// </summary>
    Closed,

    /// <summary>
    /// A <see cref="Connecting"/> attempt failed (<see cref="WsRestClientEvent.Error"/> says why). The
    /// client goes back to <see cref="WsRestConnectionState.Disconnected"/> and the next request tries
    /// again, unless a wait-for-ready request is waiting: then it follows the reconnect schedule
    /// (<see cref="Reconnecting"/>, then <see cref="Connected"/> or <see cref="Closed"/>).
    /// </summary>
    ConnectFailed,
}

/// <summary>One entry of a client's connection event stream.</summary>
/// <param name="Kind">What happened.</param>
/// <param name="ConnectionId">The connection id the event concerns (the new one for Connected/Reconnected).</param>
/// <param name="Error">Why: the connection was lost, an attempt failed, a reconnect is needed or the client closed; null when nothing went wrong.</param>
/// <param name="Attempt">For Reconnecting: the attempt number, from 1.</param>
/// <param name="Delay">For Reconnecting: the delay waited before this attempt.</param>
/// <param name="Timestamp">When it happened.</param>
public sealed record WsRestClientEvent(WsRestClientEventKind Kind, string? ConnectionId, Exception? Error, int Attempt, TimeSpan Delay, DateTimeOffset Timestamp);
