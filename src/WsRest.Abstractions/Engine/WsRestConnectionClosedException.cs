namespace WsRest.Engine;

/// <summary>
/// The connection a stream was on closed or failed, or does not take new streams (GOAWAY, closing).
/// The engine's own error: the HTTP layer turns it into an <c>HttpRequestException</c> with
/// <c>HttpRequestError.ConnectionError</c> (<c>HttpErrors.ToHttp</c>).
/// </summary>
internal sealed class WsRestConnectionClosedException(string message, bool notProcessed, Exception? reason = null) : IOException(message, reason)
{
    /// <summary>
    /// The peer certainly did not process the stream: it never left this side, or lay past the peer's
    /// GOAWAY (docs/protocol.md §6.2). Such a request may be sent again whatever its method.
    /// </summary>
    public bool NotProcessed { get; } = notProcessed;
}
