using WsRest.Http;

namespace WsRest.Server.Dispatch;

/// <summary>
/// The response body as a <see cref="Stream"/>, over <see cref="DispatchResponseBodyWriter"/>. Like
/// Kestrel's response stream, every write is sent (write then flush), so streaming through the
/// <see cref="Stream"/> API needs no explicit flush.
/// </summary>
internal sealed class DispatchResponseBodyStream : WriteOnlyBodyStream
{
    private readonly DispatchResponse _response;
    private readonly DispatchResponseBodyWriter _writer;

    public DispatchResponseBodyStream(DispatchResponse response, DispatchResponseBodyWriter writer)
    {
        _response = response;
        _writer = writer;
    }

    public override void Write(byte[] buffer, int offset, int count)
    {
        // ASP.NET Core forbids synchronous IO by default (AllowSynchronousIO); this mirrors Kestrel.
        throw new InvalidOperationException("Synchronous operations are disallowed. Call WriteAsync or set AllowSynchronousIO to true instead.");
    }

    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (buffer.IsEmpty)
        {
            return;
        }

        await _response.WriteAsync(buffer, cancellationToken).ConfigureAwait(false);
    }

    public override void Flush() => throw new InvalidOperationException("Synchronous operations are disallowed. Call FlushAsync instead.");

    public override Task FlushAsync(CancellationToken cancellationToken) => _response.FlushAsync(endStream: false, cancellationToken).AsTask();

}
