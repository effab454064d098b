namespace WsRest.Http;

/// <summary>The shared shape of the body streams: forward-only, no length, no position.</summary>
internal abstract class NonSeekableStream : Stream
{
    public sealed override bool CanSeek => false;

    public sealed override long Length => throw new NotSupportedException();

    public sealed override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    public sealed override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public sealed override void SetLength(long value) => throw new NotSupportedException();
}

/// <summary>A body stream that is only read.</summary>
internal abstract class ReadOnlyBodyStream : NonSeekableStream
{
    public sealed override bool CanRead => true;

    public sealed override bool CanWrite => false;

    public override void Flush()
    {
    }

    public sealed override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
        => ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();
}

/// <summary>A body stream that is only written.</summary>
internal abstract class WriteOnlyBodyStream : NonSeekableStream
{
    public sealed override bool CanRead => false;

    public sealed override bool CanWrite => true;

    public sealed override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
        => WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();
}
