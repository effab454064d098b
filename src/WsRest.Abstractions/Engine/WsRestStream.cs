using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using System.IO.Pipelines;
using WsRest.Protocol;

namespace WsRest.Engine;

/// <summary>
/// One request/response exchange on a connection (docs/protocol.md §3.3). The read loop feeds the
/// receive side (head, body pipe); the application drives the send side (head, DATA, END) from its
/// own threads. A stream leaves the table once END went both ways or either side sent CANCEL.
/// </summary>
[SuppressMessage("Reliability", "CA1001", Justification = "The abort source has no timer; it needs no disposal and streams are dropped, not disposed.")]
internal sealed class WsRestStream : IQueuedFrameOwner, IThreadPoolWorkItem
{
    private static readonly PipeOptions s_pipeOptions = new(
        pauseWriterThreshold: 0, // flow control (ReceiveWindow) bounds what the pipe holds, so the writer never waits
        readerScheduler: PooledThreadPoolScheduler.Instance, // the thread pool, without an allocation per wake-up
        writerScheduler: PipeScheduler.Inline,
        useSynchronizationContext: false);

    private readonly WsRestPeer _peer;
    private readonly ReceiveWindow _receiveWindow;
    private readonly QueueShare _queueShare;

    // Made on first use: most requests have no body on one side, and a pipe is the largest object
    // a stream would otherwise carry (docs/benchmarks.md, allocations by type).
    private Pipe? _pipe;
    private CompleteBodyReader? _completeBody;
    private Exception? _pipeError;

    // Made on first use too (most exchanges never wait for credit or watch for an abort). A flag set
    // before the source is looked at, and looked at after it is published, makes sure a source made
    // after its signal still starts cancelled.
    private CancellationTokenSource? _aborted;
    private int _abortSignalled;

    // Cancels waits of the sending side only: a CANCEL(NoError) stops our body while the response
    // we already received stays readable.
    private CancellationTokenSource? _sendStopped;
    private int _sendStopSignalled;
    private TaskCompletionSource<ResponseHead>? _responseHead;
    private int _state; // StreamState, as an int for Interlocked
    private int _buffered;
    private bool _pipeWriterCompleted;
    private bool _bodyReleased;

    public WsRestStream(WsRestPeer peer, bool isLocal)
    {
        _peer = peer;
        IsLocal = isLocal;
        _receiveWindow = new ReceiveWindow(peer.LocalSettings.InitialStreamWindow);
        SendWindow = new SendWindow(peer.RemoteSettings.InitialStreamWindow);
        _queueShare = new QueueShare(peer.QueuedDataPerStream);
        if (isLocal)
        {
            _responseHead = new TaskCompletionSource<ResponseHead>(TaskCreationOptions.RunContinuationsAsynchronously);
        }
    }

    /// <summary>The stream id; 0 until assigned (a local stream gets it when its REQUEST is queued).</summary>
    public ulong Id { get; private set; }

    public void AssignId(ulong id) => Id = id;

    /// <summary>True when this side opened the stream (it sent the REQUEST).</summary>
    public bool IsLocal { get; }

    public SendWindow SendWindow { get; }

    /// <summary>The request that opened a remote stream; null for local streams.</summary>
    public RequestHead? RequestHead { get; set; }

    /// <summary>The REQUEST frame carried END and no inline bytes: the request has no body at all.</summary>
    public bool RequestHasNoBody { get; set; }

    /// <summary>The received body. One reader at a time, as with any <see cref="PipeReader"/>.</summary>
    public PipeReader BodyReader
    {
        get
        {
            lock (PipeLock)
            {
                return _completeBody ?? EnsurePipe().Reader;
            }
        }
    }

    /// <summary>Fires when the stream is reset by either side or the connection is lost.</summary>
    public CancellationToken Aborted => GetSource(ref _aborted, ref _abortSignalled).Token;

    // The stream guards its own pipe state: a monitor on an existing object costs no allocation per stream.
    private object PipeLock => this;

    private CancellationToken SendStopped => GetSource(ref _sendStopped, ref _sendStopSignalled).Token;

    /// <summary>A snapshot of the stream's life so far.</summary>
    public StreamState State => (StreamState)Volatile.Read(ref _state);

    public bool IsResetOrRemoved => (State & (StreamState.Reset | StreamState.Removed)) != 0;

    public bool HeadSent => (State & StreamState.HeadSent) != 0;

    public bool EndSent => (State & StreamState.EndSent) != 0;

    public bool EndReceived => (State & StreamState.EndReceived) != 0;

    public Task<ResponseHead> ResponseHeadTask => _responseHead!.Task;

    public WsRestPeer Peer => _peer;

    /// <summary>
    /// Runs the handler of a stream the remote opened. The read loop queues the stream itself, once,
    /// so handing a request to the thread pool allocates nothing.
    /// </summary>
    void IThreadPoolWorkItem.Execute() => _ = _peer.RunHandlerAsync(this);

    // ---- receive side: called by the read loop only ----

    public void OnResponseHead(ResponseHead head)
    {
        if (!IsLocal || !TrySetState(StreamState.HeadReceived))
        {
            throw new WsRestProtocolException($"A second RESPONSE arrived on stream {Id}.");
        }

        _responseHead!.TrySetResult(head);
    }

    public void MarkHeadReceived() => TrySetState(StreamState.HeadReceived);

    public bool HasReceivedHead => (State & StreamState.HeadReceived) != 0;

    /// <summary>Checks both receive windows and takes credit for <paramref name="count"/> body bytes.</summary>
    public bool TryConsumeReceiveWindow(int count) => _receiveWindow.TryConsume(count);

    public void OnBody(ReadOnlySpan<byte> data, bool endStream)
    {
        if (EndReceived)
        {
            throw new WsRestProtocolException($"Body bytes arrived on stream {Id} after its END flag.");
        }

        lock (PipeLock)
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
                _peer.ReleaseConnectionWindow(data.Length);
            }

            if (endStream && !_pipeWriterCompleted)
            {
                _pipeWriterCompleted = true;
                _pipe?.Writer.Complete();
            }
        }

        if (endStream)
        {
            TrySetState(StreamState.EndReceived);
            TryRemoveIfDone();
        }
    }

    /// <summary>The peer sent CANCEL for this stream.</summary>
    public void OnCancel(WsRestErrorCode code)
    {
        if (code == WsRestErrorCode.NoError && EndReceived)
        {
            // The peer answered in full and does not want the rest of our body (an early response): stop sending quietly.
            if (TrySetState(StreamState.Reset))
            {
                var stop = new StreamCompletedEarlyException();
                SendWindow.Abort(stop);
                _queueShare.Abort(stop);
                Signal(ref _sendStopped, ref _sendStopSignalled);
                Remove();
            }

            return;
        }

        if (!TrySetState(StreamState.Reset))
        {
            return;
        }

        var reason = new WsRestStreamResetException(code, code == WsRestErrorCode.RefusedStream
            ? $"The peer refused stream {Id} (too many concurrent streams or shutting down); it was not processed."
            : $"The peer reset stream {Id} ({code}).");
        AbortState(reason);
        Remove();
    }

    // ---- consumer side: the body reader reports what it read ----

    public void OnBodyConsumed(int count)
    {
        lock (PipeLock)
        {
            if (_bodyReleased)
            {
                return;
            }

            _buffered -= count;
        }

        var increment = _receiveWindow.Release(count);
        if (increment > 0 && !EndReceived && !IsResetOrRemoved)
        {
            _peer.Enqueue(OutgoingFrame.Window(Id, increment));
        }

        _peer.ReleaseConnectionWindow(count);
    }

    // ---- send side: application threads ----

    /// <summary>
    /// Sends the REQUEST or RESPONSE head. The body goes inline in the same frame when it is small and
    /// credit allows it (docs/protocol.md §5.3), otherwise as DATA frames after the head.
    /// Takes ownership of <paramref name="head"/>.
    /// </summary>
    public async ValueTask SendHeadAsync(FrameType type, PooledBufferWriter head, ReadOnlyMemory<byte> body, bool endStream, CancellationToken cancellationToken)
    {
        var inline = false;
        try
        {
            ThrowIfReset();
            if (HeadSent)
            {
                throw new InvalidOperationException("The head was already sent.");
            }

            var maxPayload = _peer.MaxFramePayload;
            if (head.WrittenCount > maxPayload)
            {
                throw new WsRestProtocolException(WsRestErrorCode.MessageTooLarge, $"The {(type == FrameType.Request ? "request" : "response")} head is {head.WrittenCount} bytes; the peer accepts at most {maxPayload}.");
            }

            if (body.IsEmpty)
            {
                inline = true;
            }
            else if (body.Length <= _peer.InlineBodyLimit && head.WrittenCount + body.Length <= maxPayload && TryTakeCreditExactly(body.Length))
            {
                head.Write(body.Span);
                inline = true;
            }

            var flags = inline && endStream ? FrameFlags.EndStream : FrameFlags.None;
            var buffer = head.DetachBuffer(out var length);
            TrySetState(flags == FrameFlags.EndStream ? StreamState.HeadSent | StreamState.EndSent : StreamState.HeadSent);
            if (flags == FrameFlags.EndStream)
            {
                RemoveIfDoneBeforeFinalFrame();
            }

            var queued = type == FrameType.Request
                ? _peer.TryStartLocalStream(this, flags, buffer, length)
                : _peer.Enqueue(OutgoingFrame.WithPayload(type, flags, Id, buffer, length));
            if (!queued)
            {
                if (IsResetOrRemoved)
                {
                    ThrowIfReset();
                }

                throw _peer.CreateClosedException(notSent: type == FrameType.Request);
            }
        }
        finally
        {
            head.Dispose();
        }

        if (!inline)
        {
            await SendDataAsync(body, endStream, cancellationToken).ConfigureAwait(false);
        }
        else if (endStream)
        {
            TryRemoveIfDone();
        }
    }

    /// <summary>Sends body bytes as DATA frames of bounded size, waiting for flow-control credit.</summary>
    public async ValueTask SendDataAsync(ReadOnlyMemory<byte> data, bool endStream, CancellationToken cancellationToken)
    {
        ThrowIfReset();
        var maxChunk = _peer.MaxDataPayload;
        while (!data.IsEmpty)
        {
            var take = await TakeCreditAsync(Math.Min(data.Length, maxChunk), cancellationToken).ConfigureAwait(false);
            var payload = ArrayPool<byte>.Shared.Rent(take);
            data.Span[..take].CopyTo(payload);
            data = data[take..];
            var last = endStream && data.IsEmpty;
            if (last)
            {
                TrySetState(StreamState.EndSent);
                RemoveIfDoneBeforeFinalFrame();
            }

            if (!_peer.Enqueue(OutgoingFrame.WithPayload(FrameType.Data, last ? FrameFlags.EndStream : FrameFlags.None, Id, payload, take, owner: this)))
            {
                throw _peer.CreateClosedException();
            }

            if (last)
            {
                RemoveIfDoneAfterFinalFrame();
                return;
            }
        }

        if (endStream)
        {
            await CompleteSendAsync().ConfigureAwait(false);
        }
    }

    /// <summary>Ends the body with an empty DATA frame carrying END.</summary>
    public ValueTask CompleteSendAsync()
    {
        ThrowIfReset();
        if (!TrySetState(StreamState.EndSent))
        {
            return ValueTask.CompletedTask;
        }

        RemoveIfDoneBeforeFinalFrame();
        if (!_peer.Enqueue(OutgoingFrame.WithPayload(FrameType.Data, FrameFlags.EndStream, Id, null, 0)))
        {
            throw _peer.CreateClosedException();
        }

        RemoveIfDoneAfterFinalFrame();
        return ValueTask.CompletedTask;
    }

    /// <summary>Resets the stream from this side: sends CANCEL with <paramref name="code"/> unless the exchange already finished.</summary>
    public void Reset(WsRestErrorCode code, Exception? localReason = null)
    {
        // One compare-and-swap decides, so an END arriving concurrently cannot make us send CANCEL for
        // an exchange that already finished both ways (§6.1).
        StreamState state;
        while (true)
        {
            state = State;
            if ((state & StreamState.Reset) != 0 || (state & StreamState.Complete) == StreamState.Complete)
            {
                return;
            }

            if (Interlocked.CompareExchange(ref _state, (int)(state | StreamState.Reset), (int)state) == (int)state)
            {
                break;
            }
        }

        if ((state & StreamState.Removed) == 0)
        {
            if (IsLocal)
            {
                _peer.CancelIfStarted(this, code);
            }
            else
            {
                _peer.Enqueue(OutgoingFrame.Cancel(Id, code));
            }
        }

        AbortState(localReason ?? new WsRestStreamResetException(code, $"Stream {Id} was reset by this side ({code})."));
        Remove();
    }

    /// <summary>The connection is gone: fail everything that waits on this stream.</summary>
    public void Abort(Exception reason)
    {
        TrySetState(StreamState.Reset);
        AbortState(reason);
        Remove();
    }

    /// <summary>
    /// The body's reader is done with it (disposed early or finished): unread bytes give their
    /// connection credit back, and later bytes are dropped on arrival.
    /// </summary>
    public void ReleaseBody()
    {
        int leftover;
        lock (PipeLock)
        {
            if (_bodyReleased)
            {
                return;
            }

            _bodyReleased = true;
            leftover = _buffered;
            _buffered = 0;
        }

        _peer.ReleaseConnectionWindow(leftover);
    }

    private void AbortState(Exception reason)
    {
        _responseHead?.TrySetException(reason);
        lock (PipeLock)
        {
            if (!_pipeWriterCompleted)
            {
                _pipeWriterCompleted = true;
                _pipeError = reason as IOException ?? new IOException(reason.Message, reason);
                _pipe?.Writer.Complete(_pipeError);
            }
        }

        ReleaseBody();

        SendWindow.Abort(reason);
        _queueShare.Abort(reason);

        Signal(ref _sendStopped, ref _sendStopSignalled);
        Signal(ref _aborted, ref _abortSignalled);
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

    private static CancellationTokenSource GetSource(ref CancellationTokenSource? field, ref int signalled)
    {
        var source = Volatile.Read(ref field);
        if (source is not null)
        {
            return source;
        }

        var created = new CancellationTokenSource();
        source = Interlocked.CompareExchange(ref field, created, null);
        if (source is not null)
        {
            created.Dispose();
            return source;
        }

        if (Volatile.Read(ref signalled) != 0)
        {
            // Signalled before anyone asked for the token: nothing can be registered on it yet.
            created.Cancel();
        }

        return created;
    }

    private static void Signal(ref CancellationTokenSource? field, ref int signalled)
    {
        if (Interlocked.Exchange(ref signalled, 1) == 0 && Volatile.Read(ref field) is { } source)
        {
            // CancelAsync runs the callbacks on the thread pool: application code (RequestAborted
            // callbacks) must never run on the read loop.
            _ = source.CancelAsync();
        }
    }

    private void ThrowIfReset()
    {
        if ((State & StreamState.Reset) != 0)
        {
            throw WsRestStreamResetException.Local(Id);
        }
    }

    private bool TryTakeCreditExactly(int count)
    {
        var stream = SendWindow.TryTake(count);
        if (stream < count)
        {
            SendWindow.Add(stream);
            return false;
        }

        var connection = _peer.ConnectionSendWindow.TryTake(count);
        if (connection < count)
        {
            _peer.ConnectionSendWindow.Add(connection);
            SendWindow.Add(stream);
            return false;
        }

        return true;
    }

    /// <summary>
    /// Takes what one DATA frame may carry: room in this stream's share of the write queue first, then
    /// stream and connection credit. The queue share (<see cref="WsRestPeer.QueuedDataPerStream"/>) is what makes
    /// streams interleave fairly: a stream never has more than a few chunks waiting for the writer, so a
    /// small response queued behind many bulk transfers waits for a few chunks of each, not a window.
    /// </summary>
    private async ValueTask<int> TakeCreditAsync(int want, CancellationToken cancellationToken)
    {
        CancellationTokenSource? linked = null;
        var budget = _queueShare.TryTake(want);
        try
        {
            if (budget == 0)
            {
                linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, SendStopped);
                budget = await _queueShare.TakeAsync(want, linked.Token).ConfigureAwait(false);
            }

            var credit = await TakeWindowCreditAsync(budget, linked, cancellationToken).ConfigureAwait(false);
            if (credit < budget)
            {
                _queueShare.Add(budget - credit);
            }

            return credit;
        }
        catch
        {
            _queueShare.Add(budget);
            throw;
        }
        finally
        {
            linked?.Dispose();
        }
    }

    /// <summary>The writer copied a DATA frame of this stream into a message: its share of the queue is free again.</summary>
    public void OnQueuedFrameWritten(int length) => _queueShare.Add(length);

    private async ValueTask<int> TakeWindowCreditAsync(int want, CancellationTokenSource? sharedLinked, CancellationToken cancellationToken)
    {
        var stream = SendWindow.TryTake(want);
        CancellationTokenSource? linked = sharedLinked;
        try
        {
            if (stream == 0)
            {
                linked ??= CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, SendStopped);
                stream = await SendWindow.TakeAsync(want, linked.Token).ConfigureAwait(false);
            }

            var connection = _peer.ConnectionSendWindow.TryTake(stream);
            if (connection == 0)
            {
                linked ??= CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, SendStopped);
                connection = await _peer.ConnectionSendWindow.TakeAsync(stream, linked.Token).ConfigureAwait(false);
            }

            if (connection < stream)
            {
                SendWindow.Add(stream - connection);
            }

            return connection;
        }
        catch (Exception ex)
        {
            // Credit taken from the stream window but not sent must go back, or a retried write would
            // find the window permanently smaller.
            if (stream > 0)
            {
                SendWindow.Add(stream);
            }

            if (ex is OperationCanceledException && Volatile.Read(ref _sendStopSignalled) != 0 && !cancellationToken.IsCancellationRequested)
            {
                throw WsRestStreamResetException.Local(Id);
            }

            throw;
        }
        finally
        {
            if (!ReferenceEquals(linked, sharedLinked))
            {
                linked?.Dispose();
            }
        }
    }

    /// <summary>Sets <paramref name="flag"/> (all of its bits); false if they were all set already.</summary>
    private bool TrySetState(StreamState flag)
    {
        while (true)
        {
            var current = Volatile.Read(ref _state);
            if (((StreamState)current & flag) == flag)
            {
                return false;
            }

            if (Interlocked.CompareExchange(ref _state, current | (int)flag, current) == current)
            {
                return true;
            }
        }
    }

    /// <summary>
    /// The responder leaves its table before its final frame is queued: the peer may answer that frame
    /// with a new REQUEST at once, which must not find this stream still counted against the limit.
    /// </summary>
    private void RemoveIfDoneBeforeFinalFrame()
    {
        if (!IsLocal)
        {
            TryRemoveIfDone();
        }
    }

    /// <summary>
    /// The requester frees its slot only after its final frame is queued, so a REQUEST that takes the slot
    /// is queued behind that END and the peer has stopped counting the old stream when it arrives.
    /// </summary>
    private void RemoveIfDoneAfterFinalFrame()
    {
        if (IsLocal)
        {
            TryRemoveIfDone();
        }
    }

    private void TryRemoveIfDone()
    {
        if ((State & StreamState.Complete) == StreamState.Complete)
        {
            Remove();
        }
    }

    private void Remove()
    {
        if (!TrySetState(StreamState.Removed))
        {
            return;
        }

        _peer.RemoveStream(this);
    }
}

/// <summary>The peer finished the exchange before reading our whole body (CANCEL with NoError); the body sender stops without error.</summary>
internal sealed class StreamCompletedEarlyException : IOException
{
    public StreamCompletedEarlyException()
        : base("The peer completed the exchange before reading the whole body.")
    {
    }
}
