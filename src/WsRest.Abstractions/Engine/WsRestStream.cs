using System.IO.Pipelines;
using WsRest.Protocol;

namespace WsRest.Engine;

/// <summary>
/// One request/response exchange on a connection (docs/protocol.md §3.3), split as Kestrel splits an
/// HTTP/2 stream: the stream keeps the id, the <see cref="StreamState"/> word and the stream table's
/// rules (reset, cancel, removal), and coordinates a <see cref="StreamReceiver"/> (the peer's head and
/// body, fed by the read loop) and a <see cref="StreamSender"/> (head, DATA, END, driven by the
/// application from its own threads). A stream leaves the table once END went both ways or either
/// side sent CANCEL.
/// </summary>
internal sealed class WsRestStream : IThreadPoolWorkItem
{
    private readonly WsRestPeer _peer;

    // The receiver keeps no reference back (the stream passes itself or its peer), the sender keeps
    // only the stream: what the split adds per request is what it saved elsewhere (see StreamSender).
    private readonly StreamReceiver _receiver;
    private readonly StreamSender _sender;

    // Fires when the stream is reset or its connection lost. Not readonly: a mutable struct.
    private LazyCancellation _aborted;
    private int _state; // StreamState, as an int for Interlocked

    public WsRestStream(WsRestPeer peer, bool isLocal)
    {
        _peer = peer;
        IsLocal = isLocal;
        _receiver = new StreamReceiver(isLocal, peer.LocalSettings.InitialStreamWindow);
        _sender = new StreamSender(this, peer.RemoteSettings.InitialStreamWindow);
    }

    /// <summary>The stream id; 0 until assigned (a local stream gets it when its REQUEST is queued).</summary>
    public ulong Id { get; private set; }

    public void AssignId(ulong id) => Id = id;

    /// <summary>True when this side opened the stream (it sent the REQUEST).</summary>
    public bool IsLocal { get; }

    public SendWindow SendWindow => _sender.Window;

    /// <summary>The request that opened a remote stream; null for local streams.</summary>
    public RequestHead? RequestHead { get; set; }

    /// <summary>The REQUEST frame carried END and no inline bytes: the request has no body at all.</summary>
    public bool RequestHasNoBody { get; set; }

    /// <summary>The received body. One reader at a time, as with any <see cref="PipeReader"/>.</summary>
    public PipeReader BodyReader => _receiver.BodyReader;

    /// <summary>Fires when the stream is reset by either side or the connection is lost.</summary>
    public CancellationToken Aborted => _aborted.Token;

    /// <summary>A snapshot of the stream's life so far.</summary>
    public StreamState State => (StreamState)Volatile.Read(ref _state);

    public bool IsResetOrRemoved => (State & (StreamState.Reset | StreamState.Removed)) != 0;

    public bool HeadSent => (State & StreamState.HeadSent) != 0;

    public bool EndSent => (State & StreamState.EndSent) != 0;

    public bool EndReceived => (State & StreamState.EndReceived) != 0;

    public bool HasReceivedHead => (State & StreamState.HeadReceived) != 0;

    public Task<ResponseHead> ResponseHeadTask => _receiver.ResponseHeadSource!.Task;

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

        _receiver.ResponseHeadSource!.TrySetResult(head);
    }

    public void MarkHeadReceived() => TrySetState(StreamState.HeadReceived);

    /// <summary>Checks the stream's receive window and takes credit for <paramref name="count"/> body bytes.</summary>
    public bool TryConsumeReceiveWindow(int count) => _receiver.TryConsumeWindow(count);

    public void OnBody(ReadOnlySpan<byte> data, bool endStream)
    {
        if (EndReceived)
        {
            throw new WsRestProtocolException($"Body bytes arrived on stream {Id} after its END flag.");
        }

        _receiver.Write(_peer, data, endStream);
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
                _sender.Stop(new StreamCompletedEarlyException());
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
        AbortParts(reason);
        Remove();
    }

    // ---- the body's reader reports what it read ----

    public void OnBodyConsumed(int count) => _receiver.OnConsumed(this, count);

    /// <summary>
    /// The body's reader is done with it (disposed early or finished), or the request it belongs to
    /// ended without reading it: unread bytes give their connection credit back, their pooled buffers
    /// go back to the pool, and later bytes are dropped on arrival. Only the body stops; nothing may
    /// read it afterwards.
    /// </summary>
    public void ReleaseBody() => _receiver.Release(_peer);

    // ---- send side: application threads ----

    /// <inheritdoc cref="StreamSender.SendHeadAsync"/>
    public ValueTask SendHeadAsync(FrameType type, PooledBufferWriter head, ReadOnlyMemory<byte> body, bool endStream, CancellationToken cancellationToken)
        => _sender.SendHeadAsync(type, head, body, endStream, cancellationToken);

    /// <inheritdoc cref="StreamSender.SendDataAsync"/>
    public ValueTask SendDataAsync(ReadOnlyMemory<byte> data, bool endStream, CancellationToken cancellationToken)
        => _sender.SendDataAsync(data, endStream, cancellationToken);

    /// <inheritdoc cref="StreamSender.CompleteAsync"/>
    public ValueTask CompleteSendAsync() => _sender.CompleteAsync();

    // ---- either side ends it ----

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

        AbortParts(localReason ?? new WsRestStreamResetException(code, $"Stream {Id} was reset by this side ({code})."));
        Remove();
    }

    /// <summary>The connection is gone: fail everything that waits on this stream.</summary>
    public void Abort(Exception reason)
    {
        TrySetState(StreamState.Reset);
        AbortParts(reason);
        Remove();
    }

    // ---- for the sender: state changes and removal around its frames ----

    internal void ThrowIfReset()
    {
        if ((State & StreamState.Reset) != 0)
        {
            throw WsRestStreamResetException.Local(Id);
        }
    }

    /// <summary>
    /// The sender is about to queue a frame that sends <paramref name="flags"/>; false if they were set
    /// already. With END, a responder leaves the table now, before its final frame is queued: the peer
    /// may answer that frame with a new REQUEST at once, which must not find this stream still counted
    /// against the limit.
    /// </summary>
    internal bool OnSending(StreamState flags)
    {
        if (!TrySetState(flags))
        {
            return false;
        }

        if ((flags & StreamState.EndSent) != 0 && !IsLocal)
        {
            TryRemoveIfDone();
        }

        return true;
    }

    /// <summary>
    /// The sender queued its final DATA frame. A requester frees its slot only now, so a REQUEST that
    /// takes the slot is queued behind that END and the peer has stopped counting the old stream when
    /// it arrives.
    /// </summary>
    internal void OnFinalFrameQueued()
    {
        if (IsLocal)
        {
            TryRemoveIfDone();
        }
    }

    internal void TryRemoveIfDone()
    {
        if ((State & StreamState.Complete) == StreamState.Complete)
        {
            Remove();
        }
    }

    private void AbortParts(Exception reason)
    {
        _receiver.Fail(_peer, reason);
        _sender.Stop(reason);
        _aborted.Signal();
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

    private void Remove()
    {
        if (!TrySetState(StreamState.Removed))
        {
            return;
        }

        _peer.RemoveStream(this);
    }
}
