using System.Buffers;
using System.Diagnostics;
using System.Net;
using System.Net.Http;
using System.Net.Http.Headers;
using WsRest.Diagnostics;
using WsRest.Engine;
using WsRest.Protocol;

namespace WsRest.Http;

/// <summary>
/// Sends one <see cref="HttpRequestMessage"/> as a stream on a peer and builds the
/// <see cref="HttpResponseMessage"/> from the RESPONSE frame (docs/architecture.md, "data path").
/// Used by whichever side initiates: the client's handler and the server's reverse calls alike.
/// </summary>
internal static class HttpRequestSender
{
    public static async Task<HttpResponseMessage> SendAsync(WsRestPeer peer, HttpRequestMessage request, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var started = Stopwatch.GetTimestamp();
        using var activity = WsRestTracing.StartOutgoing(request);

        // Everything that can fail or wait on the caller's content happens before a stream slot is
        // taken, so a bad request never holds a slot and never reaches the wire.
        OutgoingMessage outgoing;
        try
        {
            outgoing = await PrepareAsync(peer, request, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            Fail(activity, request, ex, started);
            throw;
        }

        WsRestStream? stream = null;
        CancellationTokenRegistration registration = default;
        try
        {
            stream = await peer.OpenStreamAsync(cancellationToken).ConfigureAwait(false);
            if (cancellationToken.CanBeCanceled)
            {
                registration = cancellationToken.UnsafeRegister(static (state, token) =>
                    ((WsRestStream)state!).Reset(WsRestErrorCode.Cancel, new OperationCanceledException(token)), stream);
            }

            var head = outgoing.TakeHead();
            await stream.SendHeadAsync(FrameType.Request, head, outgoing.InlineBody, outgoing.EndStream, cancellationToken).ConfigureAwait(false);
            if (!outgoing.EndStream)
            {
                // The body streams while we wait for the response: a server may answer early.
                _ = HttpContentPump.PumpAsync(stream, request.Content!);
            }

            var responseHead = await stream.ResponseHeadTask.ConfigureAwait(false);
            activity?.SetTag("http.response.status_code", responseHead.StatusCode);
            WsRestMetrics.RecordRequest("outgoing", request.Method.Method, responseHead.StatusCode, null, started);
            return BuildResponse(request, stream, responseHead);
        }
        catch (Exception ex)
        {
            stream?.Reset(WsRestErrorCode.Cancel);
            var translated = Translate(ex, cancellationToken);
            Fail(activity, request, translated, started);
            throw translated;
        }
        finally
        {
            outgoing.Dispose();
            await registration.DisposeAsync().ConfigureAwait(false);
        }
    }

    private static void Fail(Activity? activity, HttpRequestMessage request, Exception error, long started)
    {
        var type = error is HttpRequestException { HttpRequestError: not HttpRequestError.Unknown } http ? http.HttpRequestError.ToString() : error.GetType().FullName;
        activity?.SetStatus(ActivityStatusCode.Error, error.Message);
        activity?.SetTag("error.type", type);
        WsRestMetrics.RecordRequest("outgoing", request.Method.Method, 0, type, started);
    }

    private static Exception Translate(Exception ex, CancellationToken cancellationToken) => ex switch
    {
        OperationCanceledException when cancellationToken.IsCancellationRequested => new TaskCanceledException("The request was cancelled.", ex, cancellationToken),
        HttpRequestException => ex,
        HttpProtocolException protocol => new HttpRequestException(
            protocol.ErrorCode == (long)WsRestErrorCode.RefusedStream ? HttpRequestError.ConnectionError : HttpRequestError.HttpProtocolError, protocol.Message, protocol),
        WsRestProtocolException => new HttpRequestException(HttpRequestError.Unknown, ex.Message, ex),
        _ => new HttpRequestException(HttpRequestError.Unknown, $"Sending the request failed: {ex.Message}", ex),
    };

    private static async Task<OutgoingMessage> PrepareAsync(WsRestPeer peer, HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var outgoing = new OutgoingMessage();
        try
        {
            var head = outgoing.Head;
            var content = request.Content;
            RequestHead.WriteStart(head, request.Method.Method, GetPathAndQuery(request));
            HttpHeaderEncoder.Write(head, request.Headers.NonValidated);
            var contentLength = content?.Headers.ContentLength;
            if (content is not null)
            {
                HttpHeaderEncoder.Write(head, content.Headers.NonValidated);
            }
            else if (NeedsExplicitEmptyLength(request.Method))
            {
                HeaderCodec.WriteHeader(head, "content-length", "0");
            }

            HeaderCodec.WriteEnd(head);
            if (content is null || contentLength == 0)
            {
                outgoing.EndStream = true;
            }
            else if (contentLength is { } length && length <= peer.InlineBodyLimit)
            {
                // Small body of known size: read it now so it can ride in the REQUEST frame.
                await outgoing.ReadInlineAsync(content, (int)length, cancellationToken).ConfigureAwait(false);
                outgoing.EndStream = true;
            }

            return outgoing;
        }
        catch (Exception ex)
        {
            outgoing.Dispose();
            throw ex is HttpRequestException or OperationCanceledException
                ? ex
                : new HttpRequestException(HttpRequestError.Unknown, $"The request could not be encoded: {ex.Message}", ex);
        }
    }

    private static string GetPathAndQuery(HttpRequestMessage request)
    {
        var uri = request.RequestUri ?? throw new InvalidOperationException("The request has no RequestUri; set HttpClient.BaseAddress or use an absolute URI.");
        if (!uri.IsAbsoluteUri)
        {
            var text = uri.OriginalString;
            return text.StartsWith('/') ? text : "/" + text;
        }

        return uri.PathAndQuery;
    }

    /// <summary>As SocketsHttpHandler: a method that normally carries a body but has none says so with Content-Length: 0.</summary>
    private static bool NeedsExplicitEmptyLength(HttpMethod method)
        => method != HttpMethod.Get && method != HttpMethod.Head && method != HttpMethod.Delete
           && method != HttpMethod.Options && method != HttpMethod.Connect;

    private static HttpResponseMessage BuildResponse(HttpRequestMessage request, WsRestStream stream, ResponseHead head)
    {
        var response = new HttpResponseMessage((HttpStatusCode)head.StatusCode)
        {
            RequestMessage = request,
            Version = request.Version,
            Content = new StreamResponseContent(stream),
        };

        foreach (var (name, value) in head.Headers)
        {
            if (!response.Headers.TryAddWithoutValidation(name, value))
            {
                response.Content.Headers.TryAddWithoutValidation(name, value);
            }
        }

        return response;
    }
}
