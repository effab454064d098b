using Microsoft.AspNetCore.Http;
using WsRest.Engine;
using WsRest.Http;

namespace WsRest.Server.Dispatch;

/// <summary>
/// The request body of a tunneled request. Enforces <see cref="DispatchMaxRequestBodySizeFeature"/> the
/// way Kestrel does: a declared Content-Length over the limit fails the first read, and reading past
/// the limit fails with <see cref="BadHttpRequestException"/> (413).
/// </summary>
internal sealed class DispatchRequestBodyStream : ReadOnlyBodyStream
{
    private readonly StreamBodyReadStream _inner;
    private readonly DispatchMaxRequestBodySizeFeature _limit;
    private readonly long? _declaredLength;
    private long _read;

    public DispatchRequestBodyStream(WsRestStream stream, DispatchMaxRequestBodySizeFeature limit, long? declaredLength)
    {
        _inner = new StreamBodyReadStream(stream, WsRestErrorCode.NoError);
        _limit = limit;
        _declaredLength = declaredLength;
    }

    public override int Read(byte[] buffer, int offset, int count)
        => throw new InvalidOperationException("Synchronous operations are disallowed. Call ReadAsync or set AllowSynchronousIO to true instead.");

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        var max = _limit.StartReading();
        if (_read == 0 && max is { } declaredMax && _declaredLength > declaredMax)
        {
            throw TooLarge(declaredMax);
        }

        if (_declaredLength is { } declared)
        {
            // As Kestrel: the app reads exactly the declared length; bytes past it are not the body.
            var remaining = declared - _read;
            if (remaining <= 0)
            {
                return 0;
            }

            if (buffer.Length > remaining)
            {
                buffer = buffer[..(int)remaining];
            }
        }

        int read;
        try
        {
            read = buffer.IsEmpty ? 0 : await _inner.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
        }
        catch (IOException ex)
        {
            // Kestrel surfaces a client that went away mid-body as an IOException; keep that contract, with our reason.
            throw new IOException($"The client aborted the request body: {ex.Message}", ex);
        }

        if (read == 0 && !buffer.IsEmpty && _read < _declaredLength)
        {
            throw new BadHttpRequestException($"Unexpected end of request content: {_read} of the declared {_declaredLength} bytes arrived.", StatusCodes.Status400BadRequest);
        }

        _read += read;
        if (max is { } limit && _read > limit)
        {
            throw TooLarge(limit);
        }

        return read;
    }

    protected override void Dispose(bool disposing)
    {
        // The app disposing Request.Body early must not reset the stream: the response is still to come.
        base.Dispose(disposing);
    }

    private static BadHttpRequestException TooLarge(long limit)
        => new($"Request body too large. The max request body size is {limit} bytes.", StatusCodes.Status413PayloadTooLarge);
}
