using System.Net;

namespace WsRest.Tests.Differential;

/// <summary>
/// A request body of unknown length: <see cref="TryComputeLength"/> says no, so plain HTTP/1.1 sends
/// it chunked. It writes its bytes in several pieces with a flush between them.
/// </summary>
public sealed class UnknownLengthContent : HttpContent
{
    private readonly byte[] _bytes;
    private readonly int _pieceSize;

    /// <summary>Creates the content; <paramref name="mediaType"/> becomes its Content-Type.</summary>
    public UnknownLengthContent(byte[] bytes, int pieceSize, string mediaType = "application/octet-stream")
    {
        ArgumentNullException.ThrowIfNull(bytes);
        ArgumentOutOfRangeException.ThrowIfLessThan(pieceSize, 1);
        _bytes = bytes;
        _pieceSize = pieceSize;
        Headers.TryAddWithoutValidation("Content-Type", mediaType);
    }

    /// <inheritdoc />
    protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context) =>
        SerializeToStreamAsync(stream, context, CancellationToken.None);

    /// <inheritdoc />
    protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context, CancellationToken cancellationToken)
    {
        for (var offset = 0; offset < _bytes.Length; offset += _pieceSize)
        {
            await stream.WriteAsync(_bytes.AsMemory(offset, Math.Min(_pieceSize, _bytes.Length - offset)), cancellationToken);
            await stream.FlushAsync(cancellationToken);
        }
    }

    /// <inheritdoc />
    protected override bool TryComputeLength(out long length)
    {
        length = 0;
        return false;
    }
}

/// <summary>A read-only stream that cannot seek, so a <see cref="StreamContent"/> over it has no length.</summary>
public sealed class NonSeekableStream(byte[] bytes) : Stream
{
    private readonly MemoryStream _inner = new(bytes, writable: false);

    /// <inheritdoc />
    public override bool CanRead => true;

    /// <inheritdoc />
    public override bool CanSeek => false;

    /// <inheritdoc />
    public override bool CanWrite => false;

    /// <inheritdoc />
    public override long Length => throw new NotSupportedException();

    /// <inheritdoc />
    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    /// <inheritdoc />
    public override void Flush()
    {
    }

    /// <inheritdoc />
    public override int Read(byte[] buffer, int offset, int count) => _inner.Read(buffer, offset, Math.Min(count, 10_000));

    /// <inheritdoc />
    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
        _inner.ReadAsync(buffer[..Math.Min(buffer.Length, 10_000)], cancellationToken);

    /// <inheritdoc />
    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    /// <inheritdoc />
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    /// <inheritdoc />
    public override void SetLength(long value) => throw new NotSupportedException();

    /// <inheritdoc />
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _inner.Dispose();
        }

        base.Dispose(disposing);
    }
}
