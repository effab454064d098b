using System.Net.WebSockets;
using WsRest.Diagnostics;

namespace WsRest.Engine;

internal sealed partial class WsRestPeer
{
    /// <summary>
    /// The only code that writes to the socket. Drains every frame already queued into one WebSocket
    /// message, up to the batch size and never past the remote's message limit (docs/protocol.md §3.1),
    /// so under load many streams share one socket write.
    /// </summary>
    private async Task WriteLoopAsync()
    {
        var reader = _writes.Reader;
        var limit = _options.Remote.MaxMessageSize;
        var format = WireFormat.For(_socket.SubProtocol);
        var batch = Math.Min(_options.BatchSize, limit);
        var message = new PooledBufferWriter(0);
        // Made at the first send: a connection that never sends needs no timer.
        ITimer? stall = null;
        try
        {
            while (await reader.WaitToReadAsync().ConfigureAwait(false))
            {
                var frames = 0;
                while (message.WrittenCount < batch
                       && reader.TryPeek(out var next)
                       && (frames == 0 || message.WrittenCount + format.EncodedLengthUpperBound(next) <= limit)
                       && reader.TryRead(out var frame))
                {
                    format.WriteFrame(message, frame, first: frames == 0);
                    _backlog.Remove(WriteBacklog.CostOf(frame), frame.IsReply, WriteBacklog.PausesReading(frame));
                    frame.ReturnPayload();
                    frame.Owner?.OnQueuedFrameWritten(frame.Length);
                    frames++;
                }

                var bytes = format.CompleteMessage(message, frames);
                if (_options.SendTimeout == Timeout.InfiniteTimeSpan)
                {
                    await _socket.SendAsync(bytes, format.MessageType, endOfMessage: true, CancellationToken.None).ConfigureAwait(false);
                }
                else
                {
                    // A peer that stops reading would hold this write (and everything queued behind it)
                    // forever: past the send timeout the timer cuts the connection off (OnSendStalled).
                    Volatile.Write(ref _sendInProgress, true);
                    stall ??= _options.TimeProvider.CreateTimer(static state => ((WsRestPeer)state!).OnSendStalled(), this, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
                    stall.Change(_options.SendTimeout, Timeout.InfiniteTimeSpan);
                    await _socket.SendAsync(bytes, format.MessageType, endOfMessage: true, CancellationToken.None).ConfigureAwait(false);
                    Volatile.Write(ref _sendInProgress, false);
                    stall.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
                }
                _metrics.BytesSent.Add(bytes.Length, _roleTag);
                _metrics.FramesPerMessage.Record(frames, _roleTag);
                message.Reset();
                if (!reader.TryPeek(out _))
                {
                    // Idle: hold no buffer between bursts (the writer object itself is kept).
                    message.Dispose();
                }
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
            stall?.Dispose();
            message.Dispose();
            while (reader.TryRead(out var frame))
            {
                _backlog.Remove(WriteBacklog.CostOf(frame), frame.IsReply, WriteBacklog.PausesReading(frame));
                frame.ReturnPayload();
            }

            // The read loop may wait for a drain that no longer comes.
            _backlog.ReleaseWaiter();
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
}
