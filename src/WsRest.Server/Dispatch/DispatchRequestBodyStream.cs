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
    private readonly WsRestStream _stream;
    private readonly StreamBodyReadStream _inner;
    private readonly DispatchMaxRequestBodySizeFeature _limit;
    private readonly long? _declaredLength;
    private readonly DispatchDataRateFeatures _rates;
    private readonly TimeProvider _clock;
    private DataRateMeter _meter;
    private DataRateTimer? _timer;
    private long _read;

    public DispatchRequestBodyStream(WsRestStream stream, DispatchMaxRequestBodySizeFeature limit, long? declaredLength, DispatchDataRateFeatures rates, TimeProvider clock)
    {
        _stream = stream;
        _inner = StreamBodyReadStream.ForRequest(stream);
        _limit = limit;
        _declaredLength = declaredLength;
        _rates = rates;
        _clock = clock;
    }

    /// <summary>The request is over: its data-rate timer goes (the stream object itself is not reused).</summary>
    public void ReleaseTimer() => _timer?.Dispose();

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
            read = buffer.IsEmpty ? 0
                : _rates.RequestBody is { } rate ? await ReadWithinRateAsync(buffer, rate, cancellationToken).ConfigureAwait(false)
                : await _inner.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
        }
        catch (IOException ex) when (ex is not BadHttpRequestException)
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

    /// <summary>
    /// A read that has to wait for the client may wait only as long as <c>MinRequestBodyDataRate</c>
    /// allows (Kestrel's rule: after the grace period, bytes per second of waiting); past that the read
    /// fails with 408, which becomes the response if the app lets it through, as on Kestrel.
    /// </summary>
    private async ValueTask<int> ReadWithinRateAsync(Memory<byte> buffer, Microsoft.AspNetCore.Server.Kestrel.Core.MinDataRate rate, CancellationToken cancellationToken)
    {
        var pending = _inner.ReadAsync(buffer, cancellationToken);
        if (pending.IsCompleted)
        {
            var ready = await pending.ConfigureAwait(false);
            _meter.AddBytes(ready);
            return ready;
        }

        var timer = _timer ??= new DataRateTimer(_clock, static owner => ((DispatchRequestBodyStream)owner)._stream.BodyReader.CancelPendingRead(), this);
        var started = _clock.GetTimestamp();
        timer.Arm(_meter.AllowedWait(rate));
        int read;
        bool inTime;
        try
        {
            read = await pending.ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (timer.HasFired)
        {
            read = 0;
        }
        finally
        {
            inTime = timer.Disarm();
            _meter.AddWait(_clock.GetElapsedTime(started));
        }

        if (!inTime)
        {
            throw new BadHttpRequestException($"Reading the request body timed out due to data arriving too slowly (below {rate.BytesPerSecond} bytes/s after a {rate.GracePeriod.TotalSeconds:0.###} s grace period). See MinRequestBodyDataRate.", StatusCodes.Status408RequestTimeout);
        }

        _meter.AddBytes(read);
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
