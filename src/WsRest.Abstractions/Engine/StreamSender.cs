using System.Buffers;
using System.Runtime.InteropServices;
using WsRest.Protocol;

namespace WsRest.Engine;

/// <summary>
/// The send side of a <see cref="WsRestStream"/> (Kestrel's <c>Http2OutputProducer</c> with its
/// <c>StreamOutputFlowControl</c>): the head with the inline-body decision, DATA frames and END, the
/// stream's <see cref="SendWindow"/> (credit the peer granted) and its <see cref="QueueShare"/> (room
/// in the writer's queue, a separate budget under its own name). Application threads call it, one
/// send at a time; the stream's state changes go through the _stream. It keeps its stream (and reaches
/// the peer through it): passed as an argument instead, the stream would be one more field in every
/// async state machine a waiting send boxes, about 1.5 KB per MiB uploaded (docs/benchmarks.md).
/// </summary>
internal sealed class StreamSender : IQueuedFrameOwner
{
    private readonly WsRestStream _stream;

    // Made with the first DATA frame: a head with its body inline (every small exchange) never queues
    // DATA, so it needs no share of the queue.
    private QueueShare? _queueShare;

    // Cancels waits of the sending side only: a CANCEL(NoError) stops our body while the response
    // we already received stays readable. Not readonly: a mutable struct.
    private LazyCancellation _stopped;

    public StreamSender(WsRestStream stream, int initialWindow)
    {
        _stream = stream;
        Window = new SendWindow(initialWindow);
    }

    /// <summary>Credit the peer granted this stream; WINDOW frames add to it.</summary>
    public SendWindow Window { get; }

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
            _stream.ThrowIfReset();
            if (_stream.HeadSent)
            {
                throw new InvalidOperationException("The head was already sent.");
            }

            var maxPayload = _stream.Peer.MaxFramePayload;
            if (head.WrittenCount > maxPayload)
            {
                throw new WsRestProtocolException(WsRestErrorCode.MessageTooLarge, $"The {(type == FrameType.Request ? "request" : "response")} head is {head.WrittenCount} bytes; the peer accepts at most {maxPayload}.");
            }

            if (body.IsEmpty)
            {
                inline = true;
            }
            else if (body.Length <= _stream.Peer.InlineBodyLimit && head.WrittenCount + body.Length <= maxPayload && TryTakeCreditExactly(_stream.Peer, body.Length))
            {
                head.Write(body.Span);
                inline = true;
            }

            var flags = inline && endStream ? FrameFlags.EndStream : FrameFlags.None;
            var buffer = head.DetachBuffer(out var length);
            _stream.OnSending(flags == FrameFlags.EndStream ? StreamState.HeadSent | StreamState.EndSent : StreamState.HeadSent);
            var queued = type == FrameType.Request
                ? _stream.Peer.TryStartLocalStream(_stream, flags, buffer, length)
                : _stream.Peer.Enqueue(OutgoingFrame.WithPayload(type, flags, _stream.Id, buffer, length));
            if (!queued)
            {
                if (_stream.IsResetOrRemoved)
                {
                    _stream.ThrowIfReset();
                }

                throw _stream.Peer.CreateClosedException(notSent: type == FrameType.Request);
            }
        }
        finally
        {
            head.Release();
        }

        if (!inline)
        {
            await SendDataAsync(body, endStream, cancellationToken).ConfigureAwait(false);
        }
        else if (endStream)
        {
            _stream.TryRemoveIfDone();
        }
    }

    /// <summary>
    /// Sends body bytes as DATA frames of bounded size, waiting for flow-control credit. A write of more
    /// than one frame's worth is not copied: its frames point into <paramref name="data"/>, and the
    /// write completes once the writer has copied (or dropped) them all, so the caller may reuse its
    /// buffer as soon as the await returns (issue 17). A smaller write is copied into a pooled payload
    /// and completes as soon as it is queued: for it the copy is cheaper than waiting for the writer.
    /// </summary>
    public async ValueTask SendDataAsync(ReadOnlyMemory<byte> data, bool endStream, CancellationToken cancellationToken)
    {
        _stream.ThrowIfReset();
        var maxChunk = _stream.Peer.MaxDataPayload;
        BorrowedPayloads? borrowed = null;
        if (data.Length > maxChunk && MemoryMarshal.TryGetArray(data, out var segment))
        {
            borrowed = GetQueueShare(_stream.Peer).Borrowed;
        }
        else
        {
            segment = default;
        }

        try
        {
            var sent = 0;
            while (sent < data.Length)
            {
                var take = await TakeCreditAsync(Math.Min(data.Length - sent, maxChunk), cancellationToken).ConfigureAwait(false);
                var last = endStream && sent + take == data.Length;
                if (last)
                {
                    _stream.OnSending(StreamState.EndSent);
                }

                var flags = last ? FrameFlags.EndStream : FrameFlags.None;
                OutgoingFrame frame;
                if (borrowed is not null)
                {
                    // Counted before it is queued: the writer may release it before Enqueue returns.
                    borrowed.Add();
                    frame = OutgoingFrame.Borrowed(flags, _stream.Id, segment.Array!, segment.Offset + sent, take, borrowed);
                }
                else
                {
                    var payload = BytePool.Rent(take);
                    data.Span.Slice(sent, take).CopyTo(payload);
                    frame = OutgoingFrame.WithPayload(FrameType.Data, flags, _stream.Id, payload, take, owner: this);
                }

                sent += take;

                // A frame that is not queued is released here (Enqueue returns its payload).
                if (!_stream.Peer.Enqueue(frame))
                {
                    throw _stream.Peer.CreateClosedException();
                }

                if (last)
                {
                    _stream.OnFinalFrameQueued();
                    return;
                }
            }
        }
        finally
        {
            if (borrowed is not null)
            {
                // Also when the write fails (reset, lost connection, cancellation): frames already queued
                // still point into the caller's buffer until the writer copies or drops them, and a
                // buffer reused meanwhile would send someone else's bytes on this stream.
                await borrowed.WhenReleasedAsync().ConfigureAwait(false);
            }
        }

        if (endStream)
        {
            await CompleteAsync().ConfigureAwait(false);
        }
    }

    /// <summary>Ends the body with an empty DATA frame carrying END.</summary>
    public ValueTask CompleteAsync()
    {
        _stream.ThrowIfReset();
        if (!_stream.OnSending(StreamState.EndSent))
        {
            return ValueTask.CompletedTask;
        }

        if (!_stream.Peer.Enqueue(OutgoingFrame.WithPayload(FrameType.Data, FrameFlags.EndStream, _stream.Id, null, 0)))
        {
            throw _stream.Peer.CreateClosedException();
        }

        _stream.OnFinalFrameQueued();
        return ValueTask.CompletedTask;
    }

    /// <summary>The writer copied a DATA frame of this stream into a message: its share of the queue is free again.</summary>
    /// <summary>True: a body's DATA is what the remote's frames provoke.</summary>
    public bool PausesReading => true;

    public void OnQueuedFrameWritten(int length) => _queueShare!.Add(length);

    /// <summary>Nothing more may be sent: current and later waits for credit fail with <paramref name="reason"/> (the first reason given).</summary>
    public void Stop(Exception reason)
    {
        Window.Abort(reason);

        // A full fence before the share is read (see GetQueueShare).
        Interlocked.CompareExchange(ref _queueShare, null, null)?.Abort(reason);
        _stopped.Signal();
    }

    /// <summary>This stream's share of the writer's queue, made on first use; one made after <see cref="Stop"/> starts stopped.</summary>
    private QueueShare GetQueueShare(WsRestPeer peer)
    {
        var share = Volatile.Read(ref _queueShare);
        if (share is not null)
        {
            return share;
        }

        share = new QueueShare(peer.QueuedDataPerStream);
        var existing = Interlocked.CompareExchange(ref _queueShare, share, null);
        if (existing is not null)
        {
            return existing;
        }

        // Published before the window's abort reason is read, as Stop aborts the window before it reads
        // the share: one of the two sees the other. The first reason given to Stop is the window's.
        if (Window.AbortReason is { } reason)
        {
            share.Abort(reason);
        }

        return share;
    }

    private bool TryTakeCreditExactly(WsRestPeer peer, int count)
    {
        var stream = Window.TryTake(count);
        if (stream < count)
        {
            Window.Add(stream);
            return false;
        }

        var connection = peer.ConnectionSendWindow.TryTake(count);
        if (connection < count)
        {
            peer.ConnectionSendWindow.Add(connection);
            Window.Add(stream);
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
        var queueShare = GetQueueShare(_stream.Peer);
        CancellationTokenSource? linked = null;
        var budget = queueShare.TryTake(want);
        try
        {
            if (budget == 0)
            {
                linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _stopped.Token);
                budget = await queueShare.TakeAsync(want, linked.Token).ConfigureAwait(false);
            }

            var credit = await TakeWindowCreditAsync(budget, linked, cancellationToken).ConfigureAwait(false);
            if (credit < budget)
            {
                queueShare.Add(budget - credit);
            }

            return credit;
        }
        catch
        {
            queueShare.Add(budget);
            throw;
        }
        finally
        {
            linked?.Dispose();
        }
    }

    private async ValueTask<int> TakeWindowCreditAsync(int want, CancellationTokenSource? sharedLinked, CancellationToken cancellationToken)
    {
        var stream = Window.TryTake(want);
        CancellationTokenSource? linked = sharedLinked;
        try
        {
            if (stream == 0)
            {
                linked ??= CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _stopped.Token);
                stream = await Window.TakeAsync(want, linked.Token).ConfigureAwait(false);
            }

            var connection = _stream.Peer.ConnectionSendWindow.TryTake(stream);
            if (connection == 0)
            {
                linked ??= CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _stopped.Token);
                connection = await _stream.Peer.ConnectionSendWindow.TakeAsync(stream, linked.Token).ConfigureAwait(false);
            }

            if (connection < stream)
            {
                Window.Add(stream - connection);
            }

            return connection;
        }
        catch (Exception ex)
        {
            // Credit taken from the stream window but not sent must go back, or a retried write would
            // find the window permanently smaller.
            if (stream > 0)
            {
                Window.Add(stream);
            }

            if (ex is OperationCanceledException && _stopped.IsSignalled && !cancellationToken.IsCancellationRequested)
            {
                throw WsRestStreamResetException.Local(_stream.Id);
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
}
