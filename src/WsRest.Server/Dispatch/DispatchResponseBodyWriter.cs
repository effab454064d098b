using System.IO.Pipelines;
using WsRest.Engine;

namespace WsRest.Server.Dispatch;

/// <summary>
/// The response body as a <see cref="PipeWriter"/>. Bytes collect in one pooled buffer until the app
/// flushes or completes: a small response that completes without a flush leaves as a single RESPONSE
/// frame with the body inline (docs/protocol.md §5.3); a flush sends what is buffered at once, which
/// is what makes streaming responses stream.
/// </summary>
internal sealed class DispatchResponseBodyWriter : PipeWriter
{
    private readonly DispatchResponse _response;
    private PooledBufferWriter? _buffer;

    public DispatchResponseBodyWriter(DispatchResponse response)
    {
        _response = response;
    }

    public int BufferedCount => _buffer?.WrittenCount ?? 0;

    public ReadOnlyMemory<byte> Buffered => _buffer?.WrittenMemory ?? ReadOnlyMemory<byte>.Empty;

    public override bool CanGetUnflushedBytes => true;

    public override long UnflushedBytes => BufferedCount;

    public override void Advance(int bytes) => (_buffer ?? throw new InvalidOperationException("Advance called before GetMemory.")).Advance(bytes);

    public override Memory<byte> GetMemory(int sizeHint = 0) => EnsureBuffer(sizeHint).GetMemory(sizeHint);

    public override Span<byte> GetSpan(int sizeHint = 0) => EnsureBuffer(sizeHint).GetSpan(sizeHint);

    public override async ValueTask<FlushResult> FlushAsync(CancellationToken cancellationToken = default)
    {
        await _response.FlushAsync(endStream: false, cancellationToken).ConfigureAwait(false);
        return new FlushResult(isCanceled: false, isCompleted: false);
    }

    public override void CancelPendingFlush()
    {
        // Flushes wait only for flow-control credit, which the stream's abort token already cancels.
    }

    public override void Complete(Exception? exception = null)
    {
        // The app finishing the body early is not the end of the request: the dispatcher completes the
        // response when the pipeline returns, so nothing is sent from this synchronous call.
    }

    public override ValueTask CompleteAsync(Exception? exception = null)
        => exception is null ? new ValueTask(_response.CompleteAsync()) : ValueTask.CompletedTask;

    public void ResetBuffer() => _buffer?.Reset();

    /// <summary>Gives the buffered bytes' array back; the writer object stays with this (pooled) context for its next response.</summary>
    public void ReleaseBuffer() => _buffer?.Dispose();

    private PooledBufferWriter EnsureBuffer(int sizeHint)
    {
        _response.ThrowIfCompleted();
        var buffer = _buffer ??= new PooledBufferWriter(0);
        if (buffer.WrittenCount == 0)
        {
            // The first array at a useful size, not the writer's 256-byte minimum that would grow by copies.
            buffer.GetSpan(Math.Max(sizeHint, 4096));
        }

        return buffer;
    }
}
