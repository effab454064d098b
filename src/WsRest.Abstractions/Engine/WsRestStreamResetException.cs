namespace WsRest.Engine;

/// <summary>
/// A stream ended by CANCEL, sent by either side (docs/protocol.md §6.1), or refused by the peer.
/// The engine's own error: the HTTP layer turns it into what an HTTP caller expects
/// (<c>HttpErrors.ToHttp</c>). An <see cref="IOException"/>, as a reset body read is on any transport.
/// </summary>
internal sealed class WsRestStreamResetException(WsRestErrorCode errorCode, string message) : IOException(message)
{
    /// <summary>The code the CANCEL carried; <see cref="WsRestErrorCode.RefusedStream"/> means the peer never processed the stream.</summary>
    public WsRestErrorCode ErrorCode { get; } = errorCode;

    /// <summary>The stream was reset by this side (not sent again).</summary>
    public static WsRestStreamResetException Local(ulong id) => new(WsRestErrorCode.Cancel, $"Stream {id} was reset.");
}
