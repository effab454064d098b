using System.Net;
using WsRest.Engine;

namespace WsRest.Http;

/// <summary>
/// The content of a response received over WsRest. Reading it streams from the connection as DATA
/// arrives, so <see cref="HttpCompletionOption.ResponseHeadersRead"/> sees the first bytes before
/// the sender finishes.
/// </summary>
internal sealed class StreamResponseContent : HttpContent
{
    private readonly StreamBodyReadStream _body;
    private int _consumed;

    public StreamResponseContent(WsRestStream stream)
    {
        _body = StreamBodyReadStream.ForResponse(stream);
    }

    protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context)
        => SerializeToStreamAsync(stream, context, CancellationToken.None);

    protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context, CancellationToken cancellationToken)
    {
        TakeBody();
        await _body.CopyToAsync(stream, 0, cancellationToken).ConfigureAwait(false);
    }

    protected override Task<Stream> CreateContentReadStreamAsync() => Task.FromResult<Stream>(TakeBody());

    protected override Task<Stream> CreateContentReadStreamAsync(CancellationToken cancellationToken) => CreateContentReadStreamAsync();

    protected override Stream CreateContentReadStream(CancellationToken cancellationToken) => TakeBody();

    protected override bool TryComputeLength(out long length)
    {
        length = 0;
        return false;
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _body.Dispose();
        }

        base.Dispose(disposing);
    }

    private StreamBodyReadStream TakeBody()
    {
        if (Interlocked.Exchange(ref _consumed, 1) != 0)
        {
            throw new InvalidOperationException("The response content was already read; a WsRest response body can be read once.");
        }

        return _body;
    }
}
