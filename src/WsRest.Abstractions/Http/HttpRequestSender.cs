using System.Net;
using System.Net.Http;
using System.Net.Http.Headers;
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
        var stream = await peer.OpenStreamAsync(cancellationToken).ConfigureAwait(false);
        CancellationTokenRegistration registration = default;
        try
        {
            if (cancellationToken.CanBeCanceled)
            {
                registration = cancellationToken.UnsafeRegister(static (state, token) =>
                    ((WsRestStream)state!).Reset(WsRestErrorCode.Cancel, new OperationCanceledException(token)), stream);
            }

            await SendRequestAsync(stream, request, cancellationToken).ConfigureAwait(false);
            var head = await stream.ResponseHeadTask.ConfigureAwait(false);
            return BuildResponse(request, stream, head);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            stream.Reset(WsRestErrorCode.Cancel);
            throw new TaskCanceledException("The request was cancelled.", null, cancellationToken);
        }
        catch (HttpProtocolException ex)
        {
            stream.Reset(WsRestErrorCode.Cancel);
            var error = ex.ErrorCode == (long)WsRestErrorCode.RefusedStream ? HttpRequestError.ConnectionError : HttpRequestError.HttpProtocolError;
            throw new HttpRequestException(error, ex.Message, ex);
        }
        catch (HttpRequestException)
        {
            stream.Reset(WsRestErrorCode.Cancel);
            throw;
        }
        catch (WsRestProtocolException ex)
        {
            stream.Reset(WsRestErrorCode.Cancel);
            throw new HttpRequestException(HttpRequestError.Unknown, ex.Message, ex);
        }
        finally
        {
            await registration.DisposeAsync().ConfigureAwait(false);
        }
    }

    private static async Task SendRequestAsync(WsRestStream stream, HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var head = new PooledBufferWriter(256);
        var content = request.Content;
        byte[]? inline = null;
        var inlineLength = 0;
        try
        {
            RequestHead.WriteStart(head, request.Method.Method, GetPathAndQuery(request));
            WriteHeaders(head, request.Headers.NonValidated);
            var contentLength = content?.Headers.ContentLength;
            if (content is not null)
            {
                WriteHeaders(head, content.Headers.NonValidated);
            }
            else if (NeedsExplicitEmptyLength(request.Method))
            {
                HeaderCodec.WriteHeader(head, "content-length", "0");
            }

            HeaderCodec.WriteEnd(head);

            if (content is null || contentLength == 0)
            {
                var owned = head;
                head = null;
                await stream.SendHeadAsync(FrameType.Request, owned, ReadOnlyMemory<byte>.Empty, endStream: true, cancellationToken).ConfigureAwait(false);
                return;
            }

            if (contentLength is { } length && length <= stream.Peer.InlineBodyLimit)
            {
                // Small body of known size: read it now so it can ride in the REQUEST frame.
                inline = System.Buffers.ArrayPool<byte>.Shared.Rent((int)length);
                using var target = new MemoryStream(inline, 0, (int)length, writable: true);
                await content.CopyToAsync(target, cancellationToken).ConfigureAwait(false);
                inlineLength = (int)target.Position;
                var owned = head;
                head = null;
                await stream.SendHeadAsync(FrameType.Request, owned, inline.AsMemory(0, inlineLength), endStream: true, cancellationToken).ConfigureAwait(false);
                return;
            }

            var ownedHead = head;
            head = null;
            await stream.SendHeadAsync(FrameType.Request, ownedHead, ReadOnlyMemory<byte>.Empty, endStream: false, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            head?.Dispose();
            if (inline is not null)
            {
                System.Buffers.ArrayPool<byte>.Shared.Return(inline);
            }
        }

        // Larger or unknown-size bodies stream while we wait for the response: a server may answer early.
        _ = PumpBodyAsync(stream, content);
    }

    private static async Task PumpBodyAsync(WsRestStream stream, HttpContent content)
    {
        try
        {
            var target = new DataFrameWriteStream(stream);
            await content.CopyToAsync(target, stream.Aborted).ConfigureAwait(false);
            if (content.Headers.ContentLength is { } declared && declared != target.BytesWritten)
            {
                throw new HttpRequestException(HttpRequestError.Unknown, $"The request content declared {declared} bytes but produced {target.BytesWritten}.");
            }

            await stream.CompleteSendAsync().ConfigureAwait(false);
        }
        catch (Exception) when (stream.IsResetOrRemoved)
        {
            // The exchange already ended (peer reset, early response, cancellation): nothing to send.
        }
        catch (Exception ex)
        {
            // The body could not be produced: the request fails with this reason.
            stream.Reset(WsRestErrorCode.Cancel, new HttpRequestException(HttpRequestError.Unknown, $"Sending the request body failed: {ex.Message}", ex));
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

    /// <summary>
    /// One entry per header, its values joined with the header's own separator (", ", "; " for Cookie,
    /// " " for User-Agent) exactly as SocketsHttpHandler writes one HTTP/1.1 line, so the app sees the
    /// same values over WsRest as over plain HTTP.
    /// </summary>
    private static void WriteHeaders(PooledBufferWriter writer, HttpHeadersNonValidated headers)
    {
        foreach (var header in headers)
        {
            if (HopByHopHeaders.IsExcluded(header.Key))
            {
                continue;
            }

            var values = header.Value;
            if (values.Count == 1)
            {
                foreach (var value in values)
                {
                    HeaderCodec.WriteHeader(writer, header.Key, value);
                }
            }
            else if (values.Count > 1)
            {
                HeaderCodec.WriteHeader(writer, header.Key, values.ToString());
            }
        }
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
