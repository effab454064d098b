namespace WsRest.Server;

/// <summary>What happened to a connection.</summary>
public enum WsRestConnectionEventKind
{
    /// <summary>A connection was received and completed its handshake.</summary>
    Connected,

    /// <summary>The connection closed cleanly (either side closed it, or the server shut down).</summary>
    Closed,

    /// <summary>The connection failed: protocol violation, lost socket, missed heartbeat. <see cref="WsRestConnectionEvent.Error"/> says why.</summary>
    Failed,
}

/// <summary>One entry of the registry's event stream.</summary>
/// <param name="Kind">What happened.</param>
/// <param name="Connection">The connection it happened to.</param>
/// <param name="Error">Why the connection failed; null unless <paramref name="Kind"/> is <see cref="WsRestConnectionEventKind.Failed"/>.</param>
/// <param name="Timestamp">When it happened.</param>
public sealed record WsRestConnectionEvent(WsRestConnectionEventKind Kind, WsRestConnection Connection, Exception? Error, DateTimeOffset Timestamp);
