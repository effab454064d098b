using System.IO.Pipelines;
using WsRest.Protocol;

namespace WsRest.Engine;

/// <summary>
/// The receive side of a <see cref="WsRestStream"/> (Kestrel's <c>Http2MessageBody</c> with its
/// <c>StreamInputFlowControl</c>): the peer's body as a <see cref="PipeReader"/>, the receive window
/// that bounds it, and the RESPONSE head a requester waits for. The read loop writes; the body's one
/// reader reads and releases credit. It never changes the stream's state: the stream does. It keeps
/// no reference to its stream or peer (the stream passes what a call needs): the parts of a stream are
/// made per request, and a back reference in each would make every request larger.
/// </summary>
internal sealed class StreamReceiver
{
    private static readonly PipeOptions s_pipeOptions = new(
        pauseWriterThreshold: 0, // flow control (the receive window) bounds what the pipe holds, so the writer never waits
        readerScheduler: PooledThreadPoolScheduler.Instance, // the thread pool, without an allocation per wake-up
        writerScheduler: PipeScheduler.Inline,
        useSynchronizationContext: false);

    // Not readonly: a mutable struct (see ReceiveWindow).
    private ReceiveWindow _window;

    // Made on first use: most requests have no body on one side, and a pipe is the largest object
    // a stream would otherwise carry (docs/benchmarks.md, allocations by type).
    private Pipe? _pipe;
    private CompleteBodyReader? _completeBody;
    private Exception? _pipeError;
    private int _buffered;
    private bool _pipeWriterCompleted;
    private bool _bodyReleased;

    public StreamReceiver(bool isLocal, int initialWindow)
    {
        _window = new ReceiveWindow(initialWindow);
        if (isLocal)
        {
            ResponseHeadSource = new TaskCompletionSource<ResponseHead>(TaskCreationOptions.RunContinuationsAsynchronously);
        }
    }

    /// <summary>Completed by the peer's RESPONSE; null on a stream the peer opened.</summary>
    public TaskCompletionSource<ResponseHead>? ResponseHeadSource { get; }

    /// <summary>The received body. One reader at a time, as with any <see cref="PipeReader"/>.</summary>
    public PipeReader BodyReader
    {
        get
        {
            // The receiver guards its own pipe state: a monitor on an existing object costs no allocation.
            lock (this)
            {
                return _completeBody ?? EnsurePipe().Reader;
            }
        }
    }

    /// <summary>Takes stream credit for <paramref name="count"/> arriving body bytes; false past the window. Read loop only.</summary>
    public bool TryConsumeWindow(int count) => _window.TryConsume(count);

    /// <summary>Body bytes from the read loop; <paramref name="endStream"/> completes the body.</summary>
    public void Write(WsRestPeer peer, ReadOnlySpan<byte> data, bool endStream)
    {
        lock (this)
        {
            if (!_pipeWriterCompleted && !_bodyReleased)
            {
                if (!data.IsEmpty && endStream && _pipe is null && _completeBody is null)
                {
                    // The whole body in one frame, nobody reading yet: no pipe needed.
                    _buffered += data.Length;
                    _completeBody = new CompleteBodyReader(data);
                }
                else if (!data.IsEmpty)
                {
                    _buffered += data.Length;
                    var writer = EnsurePipe().Writer;

                    // One segment per DATA frame, sized to it: with the default 4 KiB segments a bulk
                    // transfer keeps window / 4 KiB pooled arrays in flight per stream, which at a few
                    // streams overran the shared array pool and allocated ~0.5 MB per MiB received
                    // (docs/benchmarks.md, "Large bodies").
                    var span = writer.GetSpan(data.Length);
                    data.CopyTo(span);
                    writer.Advance(data.Length);

                    // Completes synchronously: the pipe never pauses its writer (see s_pipeOptions).
                    var flush = writer.FlushAsync();
                    if (!flush.IsCompletedSuccessfully)
                    {
                        throw new InvalidOperationException("The body pipe paused its writer.");
                    }
                }
            }
            else if (!data.IsEmpty)
            {
                // Nobody will read this (reset, or the reader let go): give the connection credit straight back.
                peer.ReleaseConnectionWindow(data.Length);
            }

            if (endStream && !_pipeWriterCompleted)
            {
                _pipeWriterCompleted = true;
                _pipe?.Writer.Complete();
            }
        }
    }

    /// <summary>The body's reader consumed <paramref name="count"/> bytes: credit goes back to the peer, in batches.</summary>
    public void OnConsumed(WsRestStream stream, int count)
    {
        bool drained;
        lock (this)
        {
            if (_bodyReleased)
            {
                return;
            }

            _buffered -= count;
            drained = _buffered == 0;
        }

        var increment = _window.Release(count, drained, stream.Peer.MaxStreamReceiveWindow);
        if (increment > 0 && !stream.EndReceived && !stream.IsResetOrRemoved)
        {
            stream.Peer.Enqueue(OutgoingFrame.Window(stream.Id, increment));
        }

        stream.Peer.ReleaseConnectionWindow(count);
    }

    /// <summary>
    /// The body's reader is done with it (disposed early, finished, or its request ended unread): unread
    /// bytes give their connection credit back, the pooled buffers that hold them go back to the pool,
    /// and later bytes are dropped on arrival without being copied anywhere.
    /// </summary>
    /// <remarks>
    /// Nothing may read the body after this (the caller's contract: the request or response is over).
    /// Completing both ends of the pipe is what makes it return its segments; both completions are
    /// idempotent, as is the inline body's, so a reader that completes the body too returns nothing twice.
    /// </remarks>
    public void Release(WsRestPeer peer)
    {
        ReleaseCredit(peer);
        lock (this)
        {
            // Under the lock, as Write: the read loop cannot be appending to the pipe while its writer completes.
            if (!_pipeWriterCompleted)
            {
                _pipeWriterCompleted = true;
                _pipe?.Writer.Complete();
            }

            _pipe?.Reader.Complete();
            _completeBody?.Complete();
        }
    }

    /// <summary>
    /// Unread bytes give their connection credit back and later bytes are dropped on arrival; the
    /// buffers stay, as a reader may still be draining what arrived before a reset.
    /// </summary>
    private void ReleaseCredit(WsRestPeer peer)
    {
        int leftover;
        lock (this)
        {
            if (_bodyReleased)
            {
                return;
            }

            _bodyReleased = true;
            leftover = _buffered;
            _buffered = 0;
        }

        peer.ReleaseConnectionWindow(leftover);
    }

    /// <summary>The stream was reset or its connection lost: the head's waiter and the body's reader fail with <paramref name="reason"/>.</summary>
    public void Fail(WsRestPeer peer, Exception reason)
    {
        ResponseHeadSource?.TrySetException(reason);
        lock (this)
        {
            if (!_pipeWriterCompleted)
            {
                _pipeWriterCompleted = true;
                _pipeError = reason as IOException ?? new IOException(reason.Message, reason);
                _pipe?.Writer.Complete(_pipeError);
            }
        }

        // Credit only: the body's reader (if any) still reads to the failure and then releases the body.
        ReleaseCredit(peer);
    }

    /// <summary>The pipe, made now if no body byte has arrived yet; a body that already ended (or failed) reads as such.</summary>
    private Pipe EnsurePipe()
    {
        if (_pipe is null)
        {
            _pipe = new Pipe(s_pipeOptions);
            if (_pipeWriterCompleted)
            {
                _pipe.Writer.Complete(_pipeError);
            }
        }

        return _pipe;
    }
}
