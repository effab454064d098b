namespace WsRest.Engine;

/// <summary>Which end of the WebSocket a peer is; it fixes the parity of the stream ids it opens (docs/protocol.md §3.3).</summary>
internal enum PeerRole
{
    /// <summary>The side that dialed: opens odd stream ids.</summary>
    Client,

    /// <summary>The side that accepted: opens even stream ids.</summary>
    Server,
}
