using System.Buffers;
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

        // Everything that can fail or wait on the caller's content happens before a stream slot is
        // taken, so a bad request never holds a slot and never reaches the wire.
        var outgoing = await PrepareAsync(peer, request, cancellationToken).ConfigureAwait(false);
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
                _ = PumpBodyAsync(stream, request.Content!);
            }

            var responseHead = await stream.ResponseHeadTask.ConfigureAwait(false);
            return BuildResponse(request, stream, responseHead);
        }
        catch (Exception ex)
        {
            stream?.Reset(WsRestErrorCode.Cancel);
            throw Translate(ex, cancellationToken);
        }
        finally
        {
            outgoing.Dispose();
            await registration.DisposeAsync().ConfigureAwait(false);
        }
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

    private static async Task<OutgoingRequest> PrepareAsync(WsRestPeer peer, HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var outgoing = new OutgoingRequest();
        try
        {
            var head = outgoing.Head;
            var content = request.Content;
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

    private static async Task PumpBodyAsync(WsRestStream stream, HttpContent content)
    {
        try
        {
            var target = new DataFrameWriteStream(stream);
            await content.CopyToAsync(target, stream.Aborted).ConfigureAwait(false);
            if (content.Headers.ContentLength is { } declared && declared != target.BytesWritten)
            {
                throw new HttpRequestException(HttpRequestError.Unknown, $"The request content declared Content-Length {declared} but produced {target.BytesWritten} bytes.");
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
    /// same values over WsRest as over plain HTTP. Invalid names or values fail this request only
    /// (the receiver would have to fail the whole connection, docs/protocol.md §5.2).
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
            if (values.Count == 0)
            {
                continue;
            }

            string value;
            if (values.Count == 1)
            {
                using var enumerator = values.GetEnumerator();
                enumerator.MoveNext();
                value = enumerator.Current;
            }
            else
            {
                value = values.ToString();
            }

            if (!HeaderCodec.IsValidHeader(header.Key, value))
            {
                throw new HttpRequestException(HttpRequestError.Unknown, $"The request header '{header.Key}' has an invalid name or a value containing CR, LF or NUL.");
            }

            HeaderCodec.WriteHeader(writer, header.Key, value);
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

    /// <summary>The encoded head and the inline body of a request not yet sent; owns their pooled buffers.</summary>
    private sealed class OutgoingRequest : IDisposable
    {
        private PooledBufferWriter? _head = new(256);
        private byte[]? _inline;
        private int _inlineLength;

        public PooledBufferWriter Head => _head ?? throw new InvalidOperationException("The head was already handed over.");

        public ReadOnlyMemory<byte> InlineBody => _inline is null ? ReadOnlyMemory<byte>.Empty : _inline.AsMemory(0, _inlineLength);

        public bool EndStream { get; set; }

        public PooledBufferWriter TakeHead()
        {
            var head = Head;
            _head = null;
            return head;
        }

        public async Task ReadInlineAsync(HttpContent content, int length, CancellationToken cancellationToken)
        {
            _inline = ArrayPool<byte>.Shared.Rent(length);
            var target = new MemoryStream(_inline, 0, length, writable: true);
            try
            {
                await content.CopyToAsync(target, cancellationToken).ConfigureAwait(false);
                _inlineLength = (int)target.Position;
            }
            catch (NotSupportedException ex)
            {
                // The fixed-size target refused to grow: the content is longer than it declared.
                throw new HttpRequestException(HttpRequestError.Unknown, $"The request content produced more bytes than its Content-Length {length}.", ex);
            }
            finally
            {
                await target.DisposeAsync().ConfigureAwait(false);
            }

            if (_inlineLength != length)
            {
                throw new HttpRequestException(HttpRequestError.Unknown, $"The request content declared Content-Length {length} but produced {_inlineLength} bytes.");
            }
        }

        public void Dispose()
        {
            _head?.Dispose();
            _head = null;
            if (_inline is not null)
            {
                ArrayPool<byte>.Shared.Return(_inline);
                _inline = null;
            }
        }
    }
}
