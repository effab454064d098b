using System.Diagnostics;
using System.Net.Http;
using WsRest.Diagnostics;
using WsRest.Engine;
using WsRest.Protocol;

namespace WsRest.Http;

/// <summary>
/// Serves incoming streams with an <see cref="HttpMessageInvoker"/>: each REQUEST becomes an
/// <see cref="HttpRequestMessage"/> (its body streams from the connection), and the
/// <see cref="HttpResponseMessage"/> goes back as RESPONSE and DATA. This is how a plain client with no
/// ASP.NET Core serves requests the server sends it (docs/reverse.md).
/// </summary>
internal sealed class HttpMessageInvokerStreamHandler : IWsRestStreamHandler
{
    private const string s_origin = "http://localhost";

    private static readonly Uri s_baseAddress = new(s_origin + "/");

    private readonly HttpMessageInvoker _invoker;
    private readonly Action<Exception>? _onError;

    public HttpMessageInvokerStreamHandler(HttpMessageInvoker invoker, Action<Exception>? onError = null)
    {
        _invoker = invoker;
        _onError = onError;
    }

    public async Task HandleAsync(WsRestStream stream)
    {
        var started = Stopwatch.GetTimestamp();
        var status = 0;
        try
        {
            status = await HandleCoreAsync(stream).ConfigureAwait(false);
        }
        catch (Exception ex) when (!stream.IsResetOrRemoved)
        {
            // The protocol answer is a reset (by the engine); the reason is reported here, not lost.
            _onError?.Invoke(ex);
            throw;
        }
        finally
        {
            status = stream.HeadSent ? status : 0;
            stream.Peer.Metrics.RecordRequest("incoming", stream.RequestHead!.Method, status, status == 0 ? "reset" : null, started);
        }
    }

    /// <summary>Answers the stream; returns the status code it answered with.</summary>
    private async Task<int> HandleCoreAsync(WsRestStream stream)
    {
        using var activity = WsRestTracing.StartIncoming(stream.RequestHead!.Method, stream.RequestHead.Headers);
        using var request = BuildRequest(stream);
        using var response = await _invoker.SendAsync(request, stream.Aborted).ConfigureAwait(false);
        using var outgoing = new OutgoingMessage(PooledBufferWriter.Rent(256));
        var head = outgoing.Head;
        ResponseHead.WriteStart(head, (int)response.StatusCode);
        HttpHeaderEncoder.Write(head, response.Headers.NonValidated);
        var content = response.Content;
        HttpHeaderEncoder.Write(head, content.Headers.NonValidated);
        HeaderCodec.WriteEnd(head);

        var length = content.Headers.ContentLength;
        var status = (int)response.StatusCode;
        if (length == 0 || request.Method == HttpMethod.Head || status is 204 or 304 || status < 200)
        {
            // No body may follow whatever Content-Length says (RFC 9110 §6.4.1).
            outgoing.EndStream = true;
        }
        else if (length is { } known && known <= stream.Peer.InlineBodyLimit)
        {
            await outgoing.ReadInlineAsync(content, (int)known, stream.Aborted).ConfigureAwait(false);
            outgoing.EndStream = true;
        }

        await stream.SendHeadAsync(FrameType.Response, outgoing.TakeHead(), outgoing.InlineBody, outgoing.EndStream, stream.Aborted).ConfigureAwait(false);
        if (!outgoing.EndStream)
        {
            // Awaited here (not fire-and-forget as for requests): the response is this handler's whole job.
            await HttpContentPump.PumpAsync(stream, content).ConfigureAwait(false);
        }

        return status;
    }

    private static HttpRequestMessage BuildRequest(WsRestStream stream)
    {
        var head = stream.RequestHead!;
        // Concatenated, not resolved: a target like "//other.host/x" must stay a path on this host.
        var uri = head.PathAndQuery == "*" ? s_baseAddress : new Uri(s_origin + head.PathAndQuery, UriKind.Absolute);
        var request = new HttpRequestMessage(new HttpMethod(head.Method), uri);
        if (!stream.RequestHasNoBody)
        {
            request.Content = new StreamContent(StreamBodyReadStream.ForRequest(stream));
        }

        foreach (var (name, value) in head.Headers)
        {
            if (!request.Headers.TryAddWithoutValidation(name, value))
            {
                request.Content ??= new ByteArrayContent([]);
                request.Content.Headers.TryAddWithoutValidation(name, value);
            }
        }

        return request;
    }
}
