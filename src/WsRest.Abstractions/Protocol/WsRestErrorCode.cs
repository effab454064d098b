namespace WsRest;

/// <summary>Error codes carried by CANCEL, GOAWAY and ERROR frames (docs/protocol.md §6).</summary>
public enum WsRestErrorCode
{
    /// <summary>No error: a graceful end, such as a server that answered before reading the whole request body.</summary>
    NoError = 0,

    /// <summary>The peer violated the protocol (malformed frame, frame out of place, stream id reuse).</summary>
    ProtocolError = 1,

    /// <summary>The peer hit an unexpected internal failure.</summary>
    InternalError = 2,

    /// <summary>The peer sent more DATA than its flow-control window allowed.</summary>
    FlowControlError = 3,

    /// <summary>The stream was refused because the receiver's concurrent-stream limit was reached; it was not processed and may be retried.</summary>
    RefusedStream = 4,

    /// <summary>The stream was cancelled by its sender.</summary>
    Cancel = 5,

    /// <summary>A WebSocket message or header block exceeded the receiver's limit.</summary>
    MessageTooLarge = 6,

    /// <summary>The handshake did not finish in time.</summary>
    HandshakeTimeout = 7,

    /// <summary>The peer does not speak the requested protocol version.</summary>
    UnsupportedVersion = 8,

    /// <summary>The connection is shutting down.</summary>
    GoingAway = 9,

    /// <summary>The peer provoked more replies (PONG, refused streams) than it reads: a control-frame flood.</summary>
    EnhanceYourCalm = 10,
}
