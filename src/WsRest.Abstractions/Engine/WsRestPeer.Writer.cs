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
        var batch = Math.Min(_options.BatchSize, limit);
        var message = new PooledBufferWriter(0);
        var stall = _options.SendTimeout == Timeout.InfiniteTimeSpan ? null : new CancellationTokenSource(Timeout.InfiniteTimeSpan, _options.TimeProvider);
        try
        {
            while (await reader.WaitToReadAsync().ConfigureAwait(false))
            {
                var frames = 0;
                while (message.WrittenCount < batch
                       && reader.TryPeek(out var next)
                       && (message.WrittenCount == 0 || message.WrittenCount + next.EncodedLengthUpperBound <= limit)
                       && reader.TryRead(out var frame))
                {
                    frame.WriteTo(message);
                    frame.ReturnPayload();
                    frame.Owner?.OnQueuedFrameWritten(frame.Length);
                    frames++;
                }

                if (stall is null)
                {
                    await _socket.SendAsync(message.WrittenMemory, WebSocketMessageType.Binary, endOfMessage: true, CancellationToken.None).ConfigureAwait(false);
                }
                else
                {
                    // A peer that stops reading would hold this write (and everything queued behind it)
                    // forever: past the send timeout it is cut off instead (cancelling aborts the socket).
                    stall.CancelAfter(_options.SendTimeout);
                    try
                    {
                        await _socket.SendAsync(message.WrittenMemory, WebSocketMessageType.Binary, endOfMessage: true, stall.Token).ConfigureAwait(false);
                    }
                    catch (OperationCanceledException) when (stall.IsCancellationRequested)
                    {
                        throw new TimeoutException($"The {_options.RemoteName} did not read for {_options.SendTimeout.TotalSeconds:0.###} s (send timeout): the connection is cut off.");
                    }

                    if (!stall.TryReset())
                    {
                        stall.Dispose();
                        stall = new CancellationTokenSource(Timeout.InfiniteTimeSpan, _options.TimeProvider);
                    }
                }
                WsRestMetrics.BytesSent.Add(message.WrittenCount, _roleTag);
                WsRestMetrics.FramesPerMessage.Record(frames, _roleTag);
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
                frame.ReturnPayload();
            }
        }
    }
}
