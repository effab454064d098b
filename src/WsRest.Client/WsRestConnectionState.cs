namespace WsRest.Client;

/// <summary>Where a <see cref="WsRestClient"/>'s connection stands.</summary>
public enum WsRestConnectionState
{
    /// <summary>Not connected yet: <see cref="WsRestClient.ConnectAsync"/> (or the first request) connects.</summary>
    Disconnected,

    /// <summary>Opening the WebSocket and running the handshake.</summary>
    Connecting,

    /// <summary>The handshake finished; requests flow.</summary>
    Connected,

    /// <summary>The connection ended (closed by either side, failed, or disposed). Requests fail at once.</summary>
    Closed,
}
