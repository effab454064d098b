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
    /// <summary>Sends on one given connection (the server's calls into a client).</summary>
    public static Task<HttpResponseMessage> SendAsync(WsRestPeer peer, HttpRequestMessage request, CancellationToken cancellationToken)
        => SendAsync(peer.AsPeerSource, request, resendStreamedContent: false, peer.Metrics, cancellationToken);

    /// <summary>
    /// Sends on the connection <paramref name="peers"/> provides. A request that certainly never reached
    /// the server's processing (not sent, or refused) is sent again on the next connection, up to 3
    /// attempts in all, whatever its method, as long as its body is still in hand (none, or read
    /// inline) or, with <paramref name="resendStreamedContent"/>, its streamed content can be read again.
    /// </summary>
    /// <remarks>
    /// One async method for all attempts: this is the per-request path, and every extra state machine
    /// or task it awaits is an allocation per request (docs/benchmarks.md).
    /// </remarks>
    public static async Task<HttpResponseMessage> SendAsync(Func<CancellationToken, ValueTask<WsRestPeer>> peers, HttpRequestMessage request, bool resendStreamedContent, WsRestMetrics metrics, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var started = Stopwatch.GetTimestamp();
        using var activity = WsRestTracing.StartOutgoing(request);
        OutgoingMessage? outgoing = null;
        try
        {
            for (var attempt = 1; ; attempt++)
            {
                var peer = await peers(cancellationToken).ConfigureAwait(false);
                if (outgoing is null)
                {
                    // Everything that can fail or wait on the caller's content happens before a stream slot
                    // is taken, so a bad request never holds a slot and never reaches the wire.
                    outgoing = Prepare(peer, request, out var inlineLength);
                    if (inlineLength >= 0)
                    {
                        await ReadInlineAsync(outgoing, request.Content!, inlineLength, cancellationToken).ConfigureAwait(false);
                    }
                }
                else
                {
                    // The previous attempt owned (and may still hold) the encoded head: encode it afresh.
                    outgoing.ReplaceHead(EncodeHead(request));
                }

                WsRestStream? stream = null;
                CancellationTokenRegistration registration = default;
                Task? sending = null;
                var queued = false;
                HttpResponseMessage response;
                try
                {
                    stream = await peer.OpenStreamAsync(cancellationToken).ConfigureAwait(false);
                    if (cancellationToken.CanBeCanceled)
                    {
                        registration = cancellationToken.UnsafeRegister(static (state, token) =>
                            ((WsRestStream)state!).Reset(WsRestErrorCode.Cancel, new OperationCanceledException(token)), stream);
                    }

                    // A small body that finds no credit for inline travel is sent as DATA inside SendHeadAsync:
                    // the response may come first (an early 401 or 413), so both are awaited together.
                    sending = stream.SendHeadAsync(FrameType.Request, outgoing.TakeHead(), outgoing.InlineBody, outgoing.EndStream, cancellationToken).AsTask();
                    if (!sending.IsCompleted)
                    {
                        // Only a body waiting for credit leaves the send pending; an inline head is queued
                        // synchronously, and WhenAny would allocate for nothing.
                        await Task.WhenAny(sending, stream.ResponseHeadTask).ConfigureAwait(false);
                    }

                    queued = stream.HeadSent && stream.Id != 0;
                    if (sending.IsFaulted && sending.Exception!.InnerException is not StreamCompletedEarlyException && !stream.ResponseHeadTask.IsCompleted)
                    {
                        await sending.ConfigureAwait(false);
                    }

                    if (!outgoing.EndStream && sending.IsCompletedSuccessfully)
                    {
                        // The body streams while we wait for the response: a server may answer early.
                        _ = HttpContentPump.PumpAsync(stream, request.Content!);
                    }

                    var responseHead = await stream.ResponseHeadTask.ConfigureAwait(false);
                    await registration.DisposeAsync().ConfigureAwait(false);
                    response = BuildResponse(request, stream, responseHead);
                }
                catch (Exception ex) when (attempt < 3 && !cancellationToken.IsCancellationRequested && HttpErrors.IsNotProcessed(ex)
                    && (!queued || outgoing.EndStream || resendStreamedContent))
                {
                    // Never processed, and the body is still in hand (or can be read again): send it again.
                    await AbandonAsync(stream, registration, sending).ConfigureAwait(false);
                    continue;
                }
                catch (Exception ex)
                {
                    await AbandonAsync(stream, registration, sending).ConfigureAwait(false);
                    throw Translate(ex, cancellationToken);
                }

                WsRestTracing.SetResponse(activity, (int)response.StatusCode);
                metrics.RecordRequest("outgoing", request.Method.Method, (int)response.StatusCode, null, started);
                if (sending is { IsCompleted: false })
                {
                    // The response came while a small body still waits for credit: the caller gets the
                    // response now, and the body's buffer is released once nothing reads it. How that
                    // send ends (early completion, reset) no longer matters to this request.
                    var inFlight = outgoing;
                    outgoing = null;
                    _ = sending.ContinueWith(
                        static (task, state) =>
                        {
                            _ = task.Exception;
                            ((OutgoingMessage)state!).Dispose();
                        },
                        inFlight,
                        CancellationToken.None,
                        TaskContinuationOptions.ExecuteSynchronously,
                        TaskScheduler.Default);
                }
                else
                {
                    _ = sending?.Exception;
                }

                return response;
            }
        }
        catch (Exception ex)
        {
            var translated = ex is HttpRequestException or TaskCanceledException or ObjectDisposedException ? ex : Translate(ex, cancellationToken);
            Fail(metrics, activity, request, translated, started);
            throw translated == ex ? ex : translated;
        }
        finally
        {
            outgoing?.Dispose();
        }
    }

    /// <summary>
    /// This attempt gives up its stream: resets it, which stops the send, then waits until nothing reads
    /// the inline body buffer, which belongs to the caller's OutgoingMessage.
    /// </summary>
    private static async Task AbandonAsync(WsRestStream? stream, CancellationTokenRegistration registration, Task? sending)
    {
        if (stream is not null)
        {
            stream.Reset(WsRestErrorCode.Cancel);
            ObserveResponseHead(stream.ResponseHeadTask);
        }

        await registration.DisposeAsync().ConfigureAwait(false);
        if (sending is not null)
        {
            await sending.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
    }

    /// <summary>
    /// Nothing awaits the response head of an abandoned stream any more, yet the reset (ours, or the
    /// cancellation's or the connection's that made the attempt fail) faults it: a send that failed
    /// before the head arrived (the connection stopped accepting streams, say) leaves it faulted with
    /// "reset by this side", which would otherwise surface as an unobserved task exception. A reset
    /// that won the race on another thread may fault it only after ours returned, hence the continuation.
    /// </summary>
    private static void ObserveResponseHead(Task<ResponseHead> head)
    {
        if (head.IsCompleted)
        {
            _ = head.Exception;
        }
        else
        {
            _ = head.ContinueWith(static task => _ = task.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        }
    }

    private static void Fail(WsRestMetrics metrics, Activity? activity, HttpRequestMessage request, Exception error, long started)
    {
        var type = error is HttpRequestException { HttpRequestError: not HttpRequestError.Unknown } http ? http.HttpRequestError.ToString() : error.GetType().FullName;
        activity?.SetStatus(ActivityStatusCode.Error, error.Message);
        activity?.SetTag("error.type", type);
        metrics.RecordRequest("outgoing", request.Method.Method, 0, type, started);
    }

    private static Exception Translate(Exception ex, CancellationToken cancellationToken) => ex switch
    {
        OperationCanceledException when cancellationToken.IsCancellationRequested => new TaskCanceledException("The request was cancelled.", ex, cancellationToken),
        HttpRequestException => ex,
        WsRestConnectionClosedException or WsRestStreamResetException => Translate(HttpErrors.ToHttp(ex), cancellationToken),
        HttpProtocolException protocol => new HttpRequestException(
            protocol.ErrorCode == (long)WsRestErrorCode.RefusedStream ? HttpRequestError.ConnectionError : HttpRequestError.HttpProtocolError, protocol.Message, protocol),
        WsRestProtocolException => new HttpRequestException(HttpRequestError.Unknown, ex.Message, ex),
        _ => new HttpRequestException(HttpRequestError.Unknown, $"Sending the request failed: {ex.Message}", ex),
    };

    /// <summary>
    /// Encodes the head. <paramref name="inlineLength"/> is the length of a small body of known size to
    /// read now so it can ride in the REQUEST frame, or -1 when there is none to read.
    /// </summary>
    private static OutgoingMessage Prepare(WsRestPeer peer, HttpRequestMessage request, out int inlineLength)
    {
        inlineLength = -1;
        PooledBufferWriter? head = null;
        try
        {
            head = EncodeHead(request);
            var outgoing = new OutgoingMessage(head);
            var content = request.Content;
            var contentLength = content?.Headers.ContentLength;
            if (content is null || contentLength == 0)
            {
                outgoing.EndStream = true;
            }
            else if (contentLength is { } length && length <= peer.InlineBodyLimit)
            {
                inlineLength = (int)length;
                outgoing.EndStream = true;
            }

            return outgoing;
        }
        catch (Exception ex)
        {
            head?.Dispose();
            throw ex is HttpRequestException or OperationCanceledException
                ? ex
                : new HttpRequestException(HttpRequestError.Unknown, $"The request could not be encoded: {ex.Message}", ex);
        }
    }

    private static async ValueTask ReadInlineAsync(OutgoingMessage outgoing, HttpContent content, int length, CancellationToken cancellationToken)
    {
        try
        {
            await outgoing.ReadInlineAsync(content, length, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            outgoing.Dispose();
            throw ex is HttpRequestException or OperationCanceledException
                ? ex
                : new HttpRequestException(HttpRequestError.Unknown, $"The request could not be encoded: {ex.Message}", ex);
        }
    }

    private static PooledBufferWriter EncodeHead(HttpRequestMessage request)
    {
        var head = PooledBufferWriter.Rent(256);
        try
        {
            var content = request.Content;
            RequestHead.WriteStart(head, request.Method.Method, GetPathAndQuery(request));
            HttpHeaderEncoder.Write(head, request.Headers.NonValidated, asciiOnly: true);
            if (content is not null)
            {
                // Reading ContentLength computes it for contents of known size (as SocketsHttpHandler does), so it is encoded.
                _ = content.Headers.ContentLength;
                HttpHeaderEncoder.Write(head, content.Headers.NonValidated, asciiOnly: true);
            }
            else if (NeedsExplicitEmptyLength(request.Method))
            {
                HeaderCodec.WriteHeader(head, "content-length", "0");
            }

            HeaderCodec.WriteEnd(head);
            return head;
        }
        catch
        {
            head.Dispose();
            throw;
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
            // Content headers go straight to the content: trying the response's collection first
            // costs a failed lookup for the headers nearly every response has (type, length).
            if (IsContentHeader(name) || !response.Headers.TryAddWithoutValidation(name, value))
            {
                response.Content.Headers.TryAddWithoutValidation(name, value);
            }
        }

        return response;
    }

    /// <summary>The known headers <see cref="HttpContentHeaders"/> holds (others, Content-Security-Policy say, belong to the response).</summary>
    private static bool IsContentHeader(string name) => name.Length switch
    {
        5 => name.Equals("allow", StringComparison.OrdinalIgnoreCase),
        7 => name.Equals("expires", StringComparison.OrdinalIgnoreCase),
        11 => name.Equals("content-md5", StringComparison.OrdinalIgnoreCase),
        12 => name.Equals("content-type", StringComparison.OrdinalIgnoreCase),
        13 => name.Equals("content-range", StringComparison.OrdinalIgnoreCase) || name.Equals("last-modified", StringComparison.OrdinalIgnoreCase),
        14 => name.Equals("content-length", StringComparison.OrdinalIgnoreCase),
        16 => name.Equals("content-encoding", StringComparison.OrdinalIgnoreCase) || name.Equals("content-language", StringComparison.OrdinalIgnoreCase)
              || name.Equals("content-location", StringComparison.OrdinalIgnoreCase),
        19 => name.Equals("content-disposition", StringComparison.OrdinalIgnoreCase),
        _ => false,
    };
}
