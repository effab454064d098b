namespace WsRest.Client;

/// <summary>What happened to a <see cref="WsRestClient"/>'s connection.</summary>
public enum WsRestClientEventKind
{
    /// <summary>The first connection attempt started.</summary>
    Connecting,

    /// <summary>A handshake completed (first connection or reconnection); <see cref="WsRestClientEvent.ConnectionId"/> is the new id.</summary>
    Connected,

    /// <summary>The connection was lost or retired by the server (GOAWAY); <see cref="WsRestClientEvent.Error"/> says why, null for a graceful end.</summary>
    Disconnected,

    /// <summary>A reconnect attempt is about to run, after <see cref="WsRestClientEvent.Delay"/>.</summary>
    Reconnecting,

    /// <summary>A reconnect succeeded; queued requests now flow.</summary>
    Reconnected,

    /// <summary>The client is closed for good: disposed, reconnect disabled, or attempts exhausted (<see cref="WsRestClientEvent.Error"/>).</summary>
    Closed,
}

/// <summary>One entry of a client's connection event stream.</summary>
/// <param name="Kind">What happened.</param>
/// <param name="ConnectionId">The connection id the event concerns (the new one for Connected/Reconnected).</param>
/// <param name="Error">Why the connection was lost or the client closed, if not gracefully.</param>
/// <param name="Attempt">For Reconnecting: the attempt number, from 1.</param>
/// <param name="Delay">For Reconnecting: the delay waited before this attempt.</param>
/// <param name="Timestamp">When it happened.</param>
public sealed record WsRestClientEvent(WsRestClientEventKind Kind, string? ConnectionId, Exception? Error, int Attempt, TimeSpan Delay, DateTimeOffset Timestamp);
