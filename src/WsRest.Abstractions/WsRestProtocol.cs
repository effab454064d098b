namespace WsRest;

/// <summary>Constants of the wsrest.v1 protocol that hosts and tools need.</summary>
public static class WsRestProtocol
{
    /// <summary>The WebSocket subprotocol of the binary encoding (docs/protocol.md §2).</summary>
    public const string SubProtocol = "wsrest.v1";

    /// <summary>The WebSocket subprotocol of the JSON encoding of the same frames (docs/protocol.md §13).</summary>
    public const string JsonSubProtocol = "wsrest.v1.json";

    /// <summary>The protocol version carried in HELLO and WELCOME.</summary>
    public const int Version = 1;
}
