namespace WsRest.Engine;

/// <summary>
/// Marks, as the inner exception of an HTTP error, a request the peer certainly did not process: it
/// never left this side, or the peer refused its stream, or the stream lay past the peer's GOAWAY
/// (docs/protocol.md §6.1-§6.2). Such a request may be sent again on another connection whatever its method.
/// </summary>
internal sealed class RequestNotProcessedException(string message) : IOException(message);
