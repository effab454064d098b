using System.Net.WebSockets;
using System.Threading.Tasks.Sources;
using WsRest.Diagnostics;

namespace WsRest.Engine;

/// <summary>
/// The socket's one writer at a time (issue 17, "write-through"). Frames always go through the queue
/// (<see cref="_writes"/>), so their order is the queue's order; what changes is who copies them out:
/// <list type="bullet">
/// <item>when nobody is writing and at most one stream is in flight (nothing to batch with), the thread
/// that queued the frame takes the socket (a compare-and-swap on <see cref="_writeOwner"/>, no lock) and
/// sends one message itself: no wake-up of a writer thread, as HTTP/1.1 writes from the caller's thread.
/// The read loop does the same with everything one received message provoked;</item>
/// <item>when someone is writing, the frame waits in the queue and the owner takes it into its next
/// message; the writer loop, woken only then, drains everything queued into as few messages as
/// possible, as before (batching under load is unchanged).</item>
/// </list>
/// A caller's thread sends at most one message and never waits for a send: a send that does not
/// complete at once, or more frames queued meanwhile, are handed over to the writer loop, which keeps
/// the ownership it is handed. No lock is held while writing and none across an await.
/// </summary>
internal sealed partial class WsRestPeer : IValueTaskSource, IThreadPoolWorkItem
{
    // 0: nobody writes; 1: one owner (a caller's thread on the write-through path, or the writer loop)
    // copies frames out and sends. Starts at 1, held by the writer loop until it has started, so frames
    // queued before Start wait for it as they always did.
    private int _writeOwner = 1;

    // The writer loop waits here while nobody hands it the socket. Set only by whoever just took
    // _writeOwner (so at most once per wait); reset by the loop before it lets go of the socket. Set
    // from a work item of the peer's own (see WakeWriter), so the loop continues inline there.
    private ManualResetValueTaskSourceCore<bool> _writerWake = new() { RunContinuationsAsynchronously = false };

    // Owner's state (read and written only while holding _writeOwner; the interlocked hand-over orders it).
    private WireFormat? _writeFormat;
    private PooledBufferWriter? _message;
    private ITimer? _stall;
    private ValueTask _handedOverSend;
    private bool _hasHandedOverSend;
    private int _handedOverLength;
    private int _handedOverFrames;

    /// <summary>
    /// At most this many streams in flight and a caller's frame is written through: it has nothing to be
    /// batched with. With more, their frames are about to queue too, and one wake-up of the writer loop
    /// for a batch costs less than a socket write per caller (issue 17: batching under load unchanged).
    /// </summary>
    private const int WriteThroughMaxStreams = 1;

    /// <summary>Whether a caller's frame should be written through now (see <see cref="WriteThroughMaxStreams"/>).</summary>
    private bool WriteThroughPays => Volatile.Read(ref _activeStreams) <= WriteThroughMaxStreams;

    /// <summary>
    /// A frame was queued: if nobody is writing, this thread takes the socket and sends it now
    /// (<paramref name="writeThrough"/>) or wakes the writer loop; otherwise the owner takes it.
    /// </summary>
    private void ScheduleWrite(bool writeThrough)
    {
        if (Interlocked.CompareExchange(ref _writeOwner, 1, 0) != 0)
        {
            // The owner looks at the queue again after letting go of the socket, so the frame is not stranded.
            return;
        }

        if (!writeThrough || _writes.Reader.Completion.IsCompleted)
        {
            // Batched by the loop; or sealed and empty, and the loop closes the socket.
            WakeWriter();
            return;
        }

        WriteThrough();
    }

    /// <summary>Write-through: this (caller's) thread owns the socket and sends one message.</summary>
    private void WriteThrough()
    {
        try
        {
            var frames = TakeMessage(out var bytes);
            if (frames == 0)
            {
                // The previous owner already sent what this caller queued.
                LetGo();
                return;
            }

            var send = BeginSend(bytes);
            if (!send.IsCompleted)
            {
                // The socket is full (a slow reader): the caller must not wait for it. The loop awaits the
                // send, owning the socket, and goes on with whatever queues meanwhile.
                _handedOverSend = send;
                _hasHandedOverSend = true;
                _handedOverLength = bytes.Length;
                _handedOverFrames = frames;
                WakeWriter();
                return;
            }

            send.GetAwaiter().GetResult();
            EndSend(bytes.Length, frames);
        }
        catch (Exception ex)
        {
            // Exactly what the writer loop does when a send fails: the connection goes. The loop, woken to
            // the sealed queue, gives back what is still queued and releases a waiting read loop.
            Abort(ex);
            WakeWriter();
            return;
        }

        // One message per caller: frames queued meanwhile are other streams', batched by the loop.
        LetGo();
    }

    /// <summary>Lets go of the socket; takes it back (for the loop) when frames arrived in between.</summary>
    private void LetGo()
    {
        Interlocked.Exchange(ref _writeOwner, 0);
        if (HasWriteWork() && Interlocked.CompareExchange(ref _writeOwner, 1, 0) == 0)
        {
            WakeWriter();
        }
    }

    private bool HasWriteWork() => _writes.Reader.TryPeek(out _) || _writes.Reader.Completion.IsCompleted;

    /// <summary>
    /// Hands the socket to the writer loop. Only the owner calls it, once per ownership. The loop resumes
    /// on the thread pool's global queue, as the channel woke it before write-through: a completion that
    /// ran its continuations asynchronously would queue it on the caller's local queue (behind the
    /// caller's own work) and allocate a work item per wake-up.
    /// </summary>
    private void WakeWriter() => ThreadPool.UnsafeQueueUserWorkItem(this, preferLocal: false);

    /// <summary>The writer loop's wake-up (<see cref="WakeWriter"/>): its continuation runs here.</summary>
    void IThreadPoolWorkItem.Execute() => _writerWake.SetResult(true);

    /// <summary>Wakes the writer loop to close the socket once the queue is sealed (Close, Abort).</summary>
    private void ScheduleClose()
    {
        if (Interlocked.CompareExchange(ref _writeOwner, 1, 0) == 0)
        {
            WakeWriter();
        }
    }

    /// <summary>
    /// The writer loop: it owns the socket from its start until it first lets go, and again whenever a
    /// caller hands it over. It drains everything queued into one WebSocket message, up to the batch
    /// size and never past the remote's message limit (docs/protocol.md §3.1), so under load many
    /// streams share one socket write.
    /// </summary>
    private async Task WriteLoopAsync()
    {
        _writeFormat = WireFormat.For(_socket.SubProtocol);
        _message = new PooledBufferWriter(0);
        try
        {
            while (true)
            {
                if (_hasHandedOverSend)
                {
                    var pending = _handedOverSend;
                    _handedOverSend = default;
                    _hasHandedOverSend = false;
                    await pending.ConfigureAwait(false);
                    EndSend(_handedOverLength, _handedOverFrames);
                }

                int frames;
                while ((frames = TakeMessage(out var bytes)) > 0)
                {
                    await BeginSend(bytes).ConfigureAwait(false);
                    EndSend(bytes.Length, frames);
                }

                if (_writes.Reader.Completion.IsCompleted)
                {
                    // Sealed and drained: this owner keeps the socket and closes it.
                    break;
                }

                // Reset before letting go: whoever takes the socket next may wake this loop at once.
                _writerWake.Reset();
                Interlocked.Exchange(ref _writeOwner, 0);
                if (HasWriteWork() && Interlocked.CompareExchange(ref _writeOwner, 1, 0) == 0)
                {
                    continue;
                }

                await new ValueTask(this, _writerWake.Version).ConfigureAwait(false);
            }

            if (_socket.State is WebSocketState.Open or WebSocketState.CloseReceived)
            {
                await _socket.CloseOutputAsync(_closeStatus, _closeDescription, CancellationToken.None).ConfigureAwait(false);
            }
        }
        catch (Exception ex)
        {
            // Whatever failed, a writer that stopped must take the connection down with it; otherwise
            // frames would pile up in a queue nobody drains and every caller would hang.
            Abort(ex);
        }
        finally
        {
            // The loop owns the socket for good now (it never lets go after this point): no caller writes.
            Volatile.Write(ref _writeOwner, 1);
            _stall?.Dispose();
            _message.Dispose();
            while (_writes.Reader.TryRead(out var frame))
            {
                _backlog.Remove(WriteBacklog.CostOf(frame), frame.IsReply);
                frame.ReturnPayload();
            }

            // The read loop may wait for a drain that no longer comes.
            _backlog.ReleaseWaiter();
        }
    }

    /// <summary>
    /// Owner only: copies queued frames into one message, up to the batch size and never past the
    /// remote's message limit. Returns the number of frames (0: nothing queued).
    /// </summary>
    private int TakeMessage(out ReadOnlyMemory<byte> bytes)
    {
        var reader = _writes.Reader;
        var format = _writeFormat!;
        var message = _message!;
        var limit = _options.Remote.MaxMessageSize;
        var batch = Math.Min(_options.BatchSize, limit);
        var frames = 0;
        while (message.WrittenCount < batch
               && reader.TryPeek(out var next)
               && (frames == 0 || message.WrittenCount + format.EncodedLengthUpperBound(next) <= limit)
               && reader.TryRead(out var frame))
        {
            format.WriteFrame(message, frame, first: frames == 0);
            _backlog.Remove(WriteBacklog.CostOf(frame), frame.IsReply);
            frame.ReturnPayload();
            frame.Owner?.OnQueuedFrameWritten(frame.Length);
            frames++;
        }

        bytes = frames == 0 ? default : format.CompleteMessage(message, frames);
        return frames;
    }

    /// <summary>Owner only: starts sending one message, with the send timeout armed.</summary>
    private ValueTask BeginSend(ReadOnlyMemory<byte> bytes)
    {
        if (_options.SendTimeout != Timeout.InfiniteTimeSpan)
        {
            // A peer that stops reading would hold this write (and everything queued behind it) forever:
            // past the send timeout the timer cuts the connection off (OnSendStalled).
            Volatile.Write(ref _sendInProgress, true);
            (_stall ??= CreateStallTimer()).Change(_options.SendTimeout, Timeout.InfiniteTimeSpan);
        }

        return _socket.SendAsync(bytes, _writeFormat!.MessageType, endOfMessage: true, CancellationToken.None);
    }

    /// <summary>Owner only: a message was sent.</summary>
    private void EndSend(int length, int frames)
    {
        if (_stall is not null)
        {
            Volatile.Write(ref _sendInProgress, false);
            _stall.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        }

        _metrics.BytesSent.Add(length, _roleTag);
        _metrics.FramesPerMessage.Record(frames, _roleTag);
        _message!.Reset();
        if (!_writes.Reader.TryPeek(out _))
        {
            // Idle: hold no buffer between bursts (the writer object itself is kept).
            _message.Dispose();
        }
    }

    /// <summary>
    /// Made at the first send (a connection that never sends needs no timer), which may be on a caller's
    /// thread: its execution context (a request's Activity, AsyncLocals) must not live on in the timer for
    /// the connection's lifetime.
    /// </summary>
    private ITimer CreateStallTimer()
    {
        if (ExecutionContext.IsFlowSuppressed())
        {
            return _options.TimeProvider.CreateTimer(static state => ((WsRestPeer)state!).OnSendStalled(), this, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        }

        using (ExecutionContext.SuppressFlow())
        {
            return _options.TimeProvider.CreateTimer(static state => ((WsRestPeer)state!).OnSendStalled(), this, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        }
    }

    /// <summary>
    /// The send timeout passed with a send still pending: the connection is aborted with the timeout as
    /// its reason before the socket goes. Cancelling the send instead would abort the socket first, and
    /// the read loop could then report a lost connection as the reason in its place.
    /// </summary>
    private void OnSendStalled()
    {
        if (Volatile.Read(ref _sendInProgress))
        {
            Abort(new TimeoutException($"The {_options.RemoteName} did not read for {_options.SendTimeout.TotalSeconds:0.###} s (send timeout): the connection is cut off."));
        }
    }

    // The writer loop's wait (single waiter: the loop; single setter per wait: the socket's next owner).
    void IValueTaskSource.GetResult(short token) => _writerWake.GetResult(token);

    ValueTaskSourceStatus IValueTaskSource.GetStatus(short token) => _writerWake.GetStatus(token);

    void IValueTaskSource.OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags)
        => _writerWake.OnCompleted(continuation, state, token, flags);
}
