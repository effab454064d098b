using System.Net;

namespace WsRest.Load;

/// <summary>
/// A request body of a known length that is never buffered: serializing writes <see cref="LargeBody.Chunk"/>
/// repeatedly to the transport's stream, so a 256 MiB upload costs the client no more than the chunk.
/// </summary>
internal sealed class LargeBodyContent : HttpContent
{
    private readonly long _length;

    public LargeBodyContent(long length)
    {
        _length = length;
        Headers.ContentType = new("application/octet-stream");
    }

    protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context) =>
        SerializeToStreamAsync(stream, context, CancellationToken.None);

    protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context, CancellationToken cancellationToken)
    {
        for (var remaining = _length; remaining > 0;)
        {
            var count = (int)Math.Min(remaining, LargeBody.ChunkSize);
            await stream.WriteAsync(LargeBody.Chunk.AsMemory(0, count), cancellationToken).ConfigureAwait(false);
            remaining -= count;
        }
    }

    protected override bool TryComputeLength(out long length)
    {
        length = _length;
        return true;
    }

    // The base class would buffer the whole body to hand out a readable stream; no transport here asks
    // for one, and if one did, that must fail loudly rather than quietly allocate the body.
    protected override Task<Stream> CreateContentReadStreamAsync() =>
        throw new NotSupportedException("LargeBodyContent streams to the transport only; it is never buffered.");
}
