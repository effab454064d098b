using System.Buffers;
using System.IO.Pipelines;
using WsRest.Engine;

namespace WsRest.Http;

/// <summary>
/// A read-only <see cref="Stream"/> over a stream's received body. Each read releases flow-control
/// credit, so the sender can go on. Disposing before the end lets the body go; what else it does
/// depends on the side (<see cref="ForRequest"/>, <see cref="ForResponse"/>).
/// Single consumer, like the <see cref="PipeReader"/> under it.
/// </summary>
internal sealed class StreamBodyReadStream : ReadOnlyBodyStream
{
    private readonly WsRestStream _stream;
    private readonly bool _resetOnEarlyDispose;
    private bool _completed;
    private bool _disposed;

    private StreamBodyReadStream(WsRestStream stream, bool resetOnEarlyDispose)
    {
        _stream = stream;
        _resetOnEarlyDispose = resetOnEarlyDispose;
    }

    /// <summary>
    /// The request body on the side that serves it. Disposing it early stops only the body: the answer
    /// still has to go out (a handler rejecting an upload answers 413 after letting the body go, issue 13).
    /// Once the answer is complete the engine tells the sender to stop with CANCEL(NoError), as Kestrel does
    /// with RST_STREAM(NO_ERROR); a handler that fails instead resets with an error (docs/protocol.md §6.1).
    /// </summary>
    public static StreamBodyReadStream ForRequest(WsRestStream stream) => new(stream, resetOnEarlyDispose: false);

    /// <summary>The response body on the side that called: disposing it early cancels the exchange (CANCEL(Cancel)).</summary>
    public static StreamBodyReadStream ForResponse(WsRestStream stream) => new(stream, resetOnEarlyDispose: true);

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        // Sync reads exist for callers that insist; the body arrives asynchronously, so this blocks a thread.
        var rented = BytePool.Rent(buffer.Length);
        try
        {
            var read = ReadAsync(rented.AsMemory(0, buffer.Length)).AsTask().GetAwaiter().GetResult();
            rented.AsSpan(0, read).CopyTo(buffer);
            return read;
        }
        finally
        {
            BytePool.Return(rented);
        }
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_completed || buffer.IsEmpty)
        {
            return 0;
        }

        var reader = _stream.BodyReader;
        while (true)
        {
            ReadResult result;
            try
            {
                result = await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (IOException ex) when (ex is WsRestConnectionClosedException or WsRestStreamResetException)
            {
                // A reset stream or a lost connection fails the read as an HTTP body read does.
                throw HttpErrors.ForBodyRead(ex);
            }

            var available = result.Buffer;
            if (!available.IsEmpty)
            {
                var count = (int)Math.Min(buffer.Length, available.Length);
                available.Slice(0, count).CopyTo(buffer.Span);
                reader.AdvanceTo(available.GetPosition(count));
                _stream.OnBodyConsumed(count);
                return count;
            }

            reader.AdvanceTo(available.End);
            if (result.IsCompleted)
            {
                _completed = true;
                await reader.CompleteAsync().ConfigureAwait(false);
                return 0;
            }

            if (result.IsCanceled)
            {
                throw new OperationCanceledException("The body read was cancelled.");
            }
        }
    }

    public override async Task CopyToAsync(Stream destination, int bufferSize, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_completed)
        {
            return;
        }

        // Copy segment by segment straight out of the pipe: no intermediate buffer.
        var reader = _stream.BodyReader;
        while (true)
        {
            ReadResult result;
            try
            {
                result = await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (IOException ex) when (ex is WsRestConnectionClosedException or WsRestStreamResetException)
            {
                // A reset stream or a lost connection fails the read as an HTTP body read does.
                throw HttpErrors.ForBodyRead(ex);
            }

            var available = result.Buffer;
            var consumed = 0;
            foreach (var segment in available)
            {
                await destination.WriteAsync(segment, cancellationToken).ConfigureAwait(false);
                consumed += segment.Length;
            }

            reader.AdvanceTo(available.End);
            _stream.OnBodyConsumed(consumed);
            if (result.IsCompleted)
            {
                _completed = true;
                await reader.CompleteAsync().ConfigureAwait(false);
                return;
            }
        }
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing && !_disposed)
        {
            _disposed = true;
            if (!_completed)
            {
                // The reader gave up early: hand the unread bytes' credit back (later ones are dropped
                // on arrival) and, on the calling side, stop the exchange.
                if (_resetOnEarlyDispose)
                {
                    _stream.Reset(WsRestErrorCode.Cancel);
                }

                _stream.ReleaseBody();
                _stream.BodyReader.Complete();
            }
        }

        base.Dispose(disposing);
    }
}
