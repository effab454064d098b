namespace WsRest.Client;

/// <summary>Where a <see cref="WsRestClient"/>'s connection stands.</summary>
public enum WsRestConnectionState
{
    /// <summary>Not connected yet: <see cref="WsRestClient.ConnectAsync"/> (or the first request) connects.</summary>
    Disconnected,

    /// <summary>Opening the WebSocket and running the first handshake.</summary>
    Connecting,

    /// <summary>The handshake finished; requests flow.</summary>
    Connected,

    /// <summary>The connection was lost; the client is reconnecting and requests wait for it.</summary>
    Reconnecting,

    /// <summary>The client is closed (disposed, reconnect disabled or given up). Requests fail at once.</summary>
    Closed,
}
