using System.Buffers;
using System.IO.Pipelines;

namespace WsRest.Engine;

/// <summary>
/// A body that arrived whole in one frame (the inline body of a small response or request, with END):
/// read from one pooled array instead of a <see cref="Pipe"/>, which is several objects per stream.
/// Every read is complete at once, so nothing ever waits or is cancelled.
/// </summary>
internal sealed class CompleteBodyReader : PipeReader
{
    private byte[]? _buffer;
    private readonly int _length;
    private int _offset;

    /// <summary>Copies <paramref name="body"/> into a pooled array the reader owns until it completes.</summary>
    public CompleteBodyReader(ReadOnlySpan<byte> body)
    {
        _buffer = BytePool.Rent(body.Length);
        body.CopyTo(_buffer);
        _length = body.Length;
    }

    public override bool TryRead(out ReadResult result)
    {
        result = new ReadResult(Remaining(), isCanceled: false, isCompleted: true);
        return true;
    }

    public override ValueTask<ReadResult> ReadAsync(CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return new ValueTask<ReadResult>(new ReadResult(Remaining(), isCanceled: false, isCompleted: true));
    }

    public override void AdvanceTo(SequencePosition consumed) => AdvanceTo(consumed, consumed);

    public override void AdvanceTo(SequencePosition consumed, SequencePosition examined)
    {
        var buffer = _buffer ?? throw new InvalidOperationException("The body reader was completed.");
        if (!ReferenceEquals(consumed.GetObject(), buffer) && consumed.GetObject() is not null)
        {
            throw new InvalidOperationException("The position does not belong to this body.");
        }

        var offset = consumed.GetInteger();
        if (offset < _offset || offset > _length)
        {
            throw new ArgumentOutOfRangeException(nameof(consumed), "The position is outside the unread body.");
        }

        _offset = offset;
    }

    public override void CancelPendingRead()
    {
        // A read never pends: the whole body is here.
    }

    public override void Complete(Exception? exception = null)
    {
        // The reader and the stream's release may both complete the body, on different threads: exactly
        // one of them takes the array, so it is never returned to the pool twice.
        if (Interlocked.Exchange(ref _buffer, null) is { } buffer)
        {
            BytePool.Return(buffer);
        }
    }

    private ReadOnlySequence<byte> Remaining()
    {
        var buffer = _buffer ?? throw new InvalidOperationException("The body reader was completed.");
        return new ReadOnlySequence<byte>(buffer, _offset, _length - _offset);
    }
}
