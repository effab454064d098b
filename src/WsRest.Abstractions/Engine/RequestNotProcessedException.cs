namespace WsRest.Engine;

/// <summary>
/// Marks a request the peer certainly did not process: it never left this side, or the peer refused
/// its stream, or the stream lay past the peer's GOAWAY (docs/protocol.md §6.1-§6.2). Such a request
/// may be sent again on another connection whatever its method.
/// </summary>
internal sealed class RequestNotProcessedException(string message) : IOException(message)
{
    public static bool IsIn(Exception? exception)
    {
        for (var e = exception; e is not null; e = e.InnerException)
        {
            if (e is RequestNotProcessedException || (e is System.Net.Http.HttpProtocolException protocol && protocol.ErrorCode == (long)WsRestErrorCode.RefusedStream))
            {
                return true;
            }
        }

        return false;
    }
}
