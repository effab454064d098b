using System.Net.Http;
using WsRest.Engine;

namespace WsRest.Http;

/// <summary>
/// Where the engine's errors become the errors an HTTP caller expects (the only place): a closed
/// connection is an <see cref="HttpRequestException"/> with <see cref="HttpRequestError.ConnectionError"/>
/// (with <see cref="RequestNotProcessedException"/> inside when the request may be sent again), a
/// reset stream an <see cref="HttpProtocolException"/> carrying the CANCEL code.
/// </summary>
internal static class HttpErrors
{
    /// <summary>The HTTP form of an engine error; any other exception is returned as it is.</summary>
    public static Exception ToHttp(Exception error) => error switch
    {
        WsRestConnectionClosedException closed => ToHttp(closed),
        WsRestStreamResetException reset => ToHttp(reset),
        _ => error,
    };

    public static HttpRequestException ToHttp(WsRestConnectionClosedException closed)
        => new(HttpRequestError.ConnectionError, closed.Message, closed.NotProcessed ? new RequestNotProcessedException(closed.Message) : closed.InnerException);

    /// <summary>A refused stream was not processed: a connection error the caller may retry; any other reset is a protocol error of that request.</summary>
    public static Exception ToHttp(WsRestStreamResetException reset)
    {
        var protocol = new HttpProtocolException((long)reset.ErrorCode, reset.Message, null);
        return reset.ErrorCode == WsRestErrorCode.RefusedStream
            ? new HttpRequestException(HttpRequestError.ConnectionError, reset.Message, protocol)
            : protocol;
    }

    /// <summary>A body read failed: still an <see cref="IOException"/>, with the HTTP form of an engine error inside.</summary>
    public static IOException ForBodyRead(IOException error)
        => error is WsRestConnectionClosedException or WsRestStreamResetException ? new IOException(error.Message, ToHttp(error)) : error;

    /// <summary>Whether <paramref name="exception"/> (or one inside it) says the peer certainly did not process the request.</summary>
    public static bool IsNotProcessed(Exception? exception)
    {
        for (var e = exception; e is not null; e = e.InnerException)
        {
            if (e is RequestNotProcessedException or WsRestConnectionClosedException { NotProcessed: true }
                || e is WsRestStreamResetException { ErrorCode: WsRestErrorCode.RefusedStream }
                || (e is HttpProtocolException protocol && protocol.ErrorCode == (long)WsRestErrorCode.RefusedStream))
            {
                return true;
            }
        }

        return false;
    }
}
