using System.Buffers;
using System.Net.WebSockets;
using WsRest.Diagnostics;
using WsRest.Protocol;

namespace WsRest.Engine;

internal sealed partial class WsRestPeer
{
    private const int InitialReceiveBuffer = 4 * 1024;

    /// <summary>
    /// The single read loop: receives whole WebSocket messages, decodes their frames and routes them.
    /// It never runs application code: handlers go to the thread pool, body readers are woken through
    /// their pipe's thread-pool scheduler, and completions run asynchronously.
    /// </summary>
    private async Task ReadLoopAsync()
    {
        var maxMessage = _options.Local.MaxMessageSize;
        var format = WireFormat.For(_socket.SubProtocol);
        var size = InitialReceiveBuffer;
        byte[]? buffer = null;
        try
        {
            while (true)
            {
                // Idle connections hold no receive buffer (the target is 20 KiB of server memory per idle
                // connection, docs/benchmarks.md): a zero-byte receive waits for the next message's first
                // frame header (PING/PONG/CLOSE control frames are handled inside the WebSocket meanwhile),
                // and the buffer is rented only once data is there.
                var result = await _socket.ReceiveAsync(Memory<byte>.Empty, CancellationToken.None).ConfigureAwait(false);
                buffer = BytePool.Rent(size);
                var total = 0;
                while (true)
                {
                    if (result.MessageType == WebSocketMessageType.Close)
                    {
                        OnRemoteClose();
                        return;
                    }

                    if (result.MessageType != format.MessageType)
                    {
                        throw new WsRestProtocolException($"A {result.MessageType.ToString().ToLowerInvariant()} message arrived on a {format.SubProtocol} connection, which carries {format.MessageType.ToString().ToLowerInvariant()} messages only.");
                    }

                    total += result.Count;
                    if (result.EndOfMessage)
                    {
                        break;
                    }

                    if (total >= maxMessage)
                    {
                        await EnsureMessageEndsAsync().ConfigureAwait(false);
                        break;
                    }

                    if (total == buffer.Length)
                    {
                        var larger = BytePool.Rent(Math.Min(buffer.Length * 2, maxMessage));
                        buffer.AsSpan(0, total).CopyTo(larger);
                        BytePool.Return(buffer);
                        buffer = larger;
                    }

                    var room = Math.Min(buffer.Length, maxMessage) - total;
                    result = await _socket.ReceiveAsync(buffer.AsMemory(total, room), CancellationToken.None).ConfigureAwait(false);
                }

                _heartbeat?.OnReceived(_options.TimeProvider.GetTimestamp());
                _metrics.BytesReceived.Add(total, _roleTag);
                format.ReadMessage(buffer.AsSpan(0, total), this);

                // While large messages continue the next one starts at this size, so a bulk transfer does
                // not regrow its buffer per message; once they stop, back to the small size.
                size = total > InitialReceiveBuffer ? buffer.Length : InitialReceiveBuffer;
                BytePool.Return(buffer);
                buffer = null;

                if (_backlog.ShouldPauseReading)
                {
                    // Back-pressure (issue 19): what this remote provoked (responses, refusals, PONGs) waits
                    // for it to read; reading more from it now would only queue more. The writer wakes this
                    // loop once it has drained half; the remote meanwhile fills its own socket buffers.
                    await _backlog.WaitForDrainAsync().ConfigureAwait(false);
                }

                if (Volatile.Read(ref _closeStarted) != 0 && _socket.State != WebSocketState.Open && _socket.State != WebSocketState.CloseSent)
                {
                    return;
                }
            }
        }
        catch (WsRestProtocolException ex)
        {
            FailConnection(ex);
            await DiscardUntilClosedAsync().ConfigureAwait(false);
        }
        catch (RemoteErrorException ex)
        {
            Close(WebSocketCloseStatus.NormalClosure, string.Empty, new WsRestProtocolException(ex.Code, ex.Message));
            await DiscardUntilClosedAsync().ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is WebSocketException or IOException or ObjectDisposedException or OperationCanceledException)
        {
            Abort(ex);
        }
        catch (Exception ex)
        {
            // A bug of ours must still end in a clear close, never in a process crash or a hang.
            FailConnection(new WsRestProtocolException(WsRestErrorCode.InternalError, $"Internal error while reading: {ex.Message}", ex));
        }
        finally
        {
            if (buffer is not null)
            {
                BytePool.Return(buffer);
            }
        }

        async ValueTask EnsureMessageEndsAsync()
        {
            // The buffer is full at the limit; the message is legal only if nothing more follows.
            var probe = new byte[1];
            var next = await _socket.ReceiveAsync(probe.AsMemory(), CancellationToken.None).ConfigureAwait(false);
            if (next.Count > 0 || !next.EndOfMessage)
            {
                throw new WsRestProtocolException(WsRestErrorCode.MessageTooLarge, $"A WebSocket message exceeded the limit of {maxMessage} bytes.");
            }
        }
    }

    /// <summary>
    /// After a failure this side closes with, the remote's bytes are read and dropped (never decoded)
    /// until its close arrives or the close timeout aborts the socket. A TCP connection closed with
    /// received bytes unread is reset by the kernel, and a reset destroys what the remote has not read
    /// yet: the ERROR frame that tells it why (RFC 6455 §7.1.1: wait for the remote's close).
    /// </summary>
    private async Task DiscardUntilClosedAsync()
    {
        var scratch = BytePool.Rent(InitialReceiveBuffer);
        try
        {
            while (true)
            {
                var result = await _socket.ReceiveAsync(scratch.AsMemory(), CancellationToken.None).ConfigureAwait(false);
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    return;
                }
            }
        }
        catch (Exception ex) when (ex is WebSocketException or IOException or ObjectDisposedException or OperationCanceledException)
        {
            // The close timeout aborted the socket, or the remote went away: the connection's reason is
            // already the failure that started the close, and there is nothing left to deliver.
        }
        finally
        {
            BytePool.Return(scratch);
        }
    }

    private void OnRemoteClose()
    {
        if (Volatile.Read(ref _closeStarted) != 0)
        {
            return;
        }

        var status = _socket.CloseStatus ?? WebSocketCloseStatus.Empty;
        Exception? reason = status is WebSocketCloseStatus.NormalClosure or WebSocketCloseStatus.EndpointUnavailable
            ? null
            : new WsRestProtocolException(WsRestErrorCode.ProtocolError, $"The {_options.RemoteName} closed the connection: {status} {_socket.CloseStatusDescription}");
        Close(WebSocketCloseStatus.NormalClosure, string.Empty, reason);
    }

    /// <summary>A protocol violation: tell the peer why (ERROR frame and close status), then close.</summary>
    private void FailConnection(WsRestProtocolException error)
    {
        var payload = new PooledBufferWriter(128);
        ControlFrames.WriteError(payload, error.ErrorCode, error.Message);
        var buffer = payload.DetachBuffer(out var length);
        Enqueue(OutgoingFrame.Raw(buffer, length), force: true);
        var status = error.ErrorCode switch
        {
            WsRestErrorCode.MessageTooLarge => WebSocketCloseStatus.MessageTooBig,
            WsRestErrorCode.EnhanceYourCalm => WebSocketCloseStatus.PolicyViolation,
            _ => WebSocketCloseStatus.ProtocolError,
        };
        Close(status, error.Message, error);
    }

    private void ProcessFrame(in Frame frame)
    {
        switch (frame.Type)
        {
            case FrameType.Request:
                OnRequestFrame(frame);
                break;
            case FrameType.Response:
                OnResponseFrame(frame);
                break;
            case FrameType.Data:
                OnDataFrame(frame);
                break;
            case FrameType.Window:
                OnWindowFrame(frame);
                break;
            case FrameType.Cancel:
                RequireStreamId(frame);
                if (TryGetStream(frame.StreamId, out var cancelled))
                {
                    cancelled.OnCancel(ControlFrames.ReadCancel(frame.Payload));
                }
                else
                {
                    ThrowIfNeverOpened(frame.StreamId, "CANCEL");
                }

                break;
            case FrameType.GoAway:
                OnGoAwayFrame(frame);
                break;
            case FrameType.Ping:
                RequireConnectionFrame(frame);
                EnqueueReply(OutgoingFrame.Pong(ControlFrames.ReadPing(frame.Payload)), "PONG");
                break;
            case FrameType.Pong:
                // Any arrival already counts as liveness; the payload only has to be well formed.
                RequireConnectionFrame(frame);
                ControlFrames.ReadPing(frame.Payload);
                break;
            case FrameType.Error:
                var (code, text) = ControlFrames.ReadError(frame.Payload);
                throw new RemoteErrorException(code, $"The {_options.RemoteName} reported {code}: {text}");
            case FrameType.Hello or FrameType.Welcome or FrameType.Ready:
                throw new WsRestProtocolException($"A {frame.Type.ToString().ToUpperInvariant()} frame arrived after the handshake.");
            default:
                ExtensionFor(frame.Type).OnFrame(frame);
                break;
        }
    }

    /// <summary>The extension that claims <paramref name="type"/>; none is a protocol error (an unknown type, or a feature not negotiated).</summary>
    private IPeerExtension ExtensionFor(FrameType type)
    {
        // A list of zero to a few: a scan costs less than a table per connection (idle connections, docs/benchmarks.md).
        foreach (var extension in _options.Extensions)
        {
            if (extension.Handles(type))
            {
                return extension;
            }
        }

        throw new WsRestProtocolException(Enum.IsDefined(type)
            ? $"A {type.ToString().ToUpperInvariant()} frame arrived, but no feature negotiated on this connection handles it (pub/sub not announced?)."
            : $"Unknown frame type 0x{(byte)type:X2}.");
    }

    private void OnRequestFrame(in Frame frame)
    {
        var id = frame.StreamId;
        if (id == 0 || IsLocalStreamId(id))
        {
            throw new WsRestProtocolException($"A REQUEST used stream id {id}, which is not the {_options.RemoteName}'s to open.");
        }

        var head = new RequestHead();
        var body = head.Read(frame.Payload, _options.Local.MaxHeaderListSize, _options.MaxHeaderCount);
        WsRestStream? stream = null;
        var refusal = WsRestErrorCode.NoError;
        lock (_streamLock)
        {
            if (id <= _lastRemoteStreamId)
            {
                throw new WsRestProtocolException($"A REQUEST reused stream id {id}; stream ids must increase.");
            }

            _lastRemoteStreamId = id;
            if (head.HeadersTooLarge && !_options.AnswerOversizeRequests)
            {
                // The frame itself was well formed; only this request is over a limit, so only it is reset.
                refusal = WsRestErrorCode.MessageTooLarge;
            }
            else if (Volatile.Read(ref _localGoAway) != 0 || _closing.IsCancellationRequested || _options.Handler is null
                || Volatile.Read(ref _activeRemoteStreams) >= _options.Local.MaxConcurrentStreams
                || Volatile.Read(ref _runningHandlers) >= _maxRunningHandlers)
            {
                refusal = WsRestErrorCode.RefusedStream;
            }
            else
            {
                stream = new WsRestStream(this, isLocal: false) { RequestHead = head, RequestHasNoBody = frame.EndStream && body.IsEmpty };
                stream.AssignId(id);
                stream.MarkHeadReceived();
                _streams[id] = stream;
                Interlocked.Increment(ref _activeRemoteStreams);
                Interlocked.Increment(ref _activeStreams);
                _metrics.ActiveStreams.Add(1, _roleTag);
                Interlocked.Increment(ref _runningHandlers);
            }
        }

        if (stream is null)
        {
            EnqueueReply(OutgoingFrame.Refusal(id, refusal), "refused streams");
            ConsumeConnectionCreditOf(frame, body.Length);
            return;
        }

        ConsumeBodyCredit(stream, body.Length);
        stream.OnBody(body, frame.EndStream);
        // The stream is its own work item (it runs RunHandlerAsync): no wrapper allocated per REQUEST.
        // The read loop's own queue: the thread that read the request picks the handler up as soon as
        // the loop awaits its next message, instead of waking another thread (an idle worker still
        // steals it if the loop stays busy). Measured: 64 in flight, 9.2 µs of CPU per request instead
        // of 10.3 (docs/benchmarks.md).
        ThreadPool.UnsafeQueueUserWorkItem(stream, preferLocal: true);
    }

    /// <summary>Serves a stream the remote opened; started on the thread pool by the stream itself (<see cref="WsRestStream"/>'s work item).</summary>
    internal async Task RunHandlerAsync(WsRestStream stream)
    {
        try
        {
            await RunHandlerCoreAsync(stream).ConfigureAwait(false);
        }
        finally
        {
            Interlocked.Decrement(ref _runningHandlers);
        }
    }

    private async Task RunHandlerCoreAsync(WsRestStream stream)
    {
        try
        {
            await _options.Handler!.HandleAsync(stream).ConfigureAwait(false);
            if (!stream.EndSent && !stream.IsResetOrRemoved)
            {
                stream.Reset(WsRestErrorCode.InternalError);
            }
            else if (!stream.EndReceived && !stream.IsResetOrRemoved)
            {
                // Answered before reading the whole request body: tell the sender to stop (docs/protocol.md §6.1).
                stream.Reset(WsRestErrorCode.NoError);
            }
        }
        catch (Exception ex)
        {
            // The host reports the failure through its own channels; the protocol answer is a reset.
            stream.Reset(WsRestErrorCode.InternalError, ex);
        }
    }

    private void OnResponseFrame(in Frame frame)
    {
        var id = frame.StreamId;
        if (id == 0 || !IsLocalStreamId(id))
        {
            throw new WsRestProtocolException($"A RESPONSE arrived on stream {id}, which this side did not open.");
        }

        var head = new ResponseHead();
        var body = head.Read(frame.Payload, _options.Local.MaxHeaderListSize, _options.MaxHeaderCount);
        if (!TryGetStream(id, out var stream))
        {
            ThrowIfNeverOpened(id, "RESPONSE");
            ConsumeConnectionCreditOf(frame, body.Length);
            return;
        }

        if (head.HeadersTooLarge)
        {
            ConsumeConnectionCreditOf(frame, body.Length);
            stream.Reset(WsRestErrorCode.MessageTooLarge, new WsRestStreamResetException(WsRestErrorCode.MessageTooLarge, $"The response headers on stream {id} exceed this side's limit of {_options.Local.MaxHeaderListSize} bytes (MessageTooLarge)."));
            return;
        }

        ConsumeBodyCredit(stream, body.Length);
        stream.OnBody(body, frame.EndStream);
        stream.OnResponseHead(head);
    }

    private void OnDataFrame(in Frame frame)
    {
        RequireStreamId(frame);
        if (!TryGetStream(frame.StreamId, out var stream))
        {
            ThrowIfNeverOpened(frame.StreamId, "DATA");
            ConsumeConnectionCreditOf(frame, frame.Payload.Length);
            return;
        }

        if (!stream.HasReceivedHead)
        {
            throw new WsRestProtocolException($"DATA arrived on stream {frame.StreamId} before its head.");
        }

        ConsumeBodyCredit(stream, frame.Payload.Length);
        stream.OnBody(frame.Payload, frame.EndStream);
    }

    private void OnWindowFrame(in Frame frame)
    {
        var increment = ControlFrames.ReadWindow(frame.Payload);
        if (frame.StreamId == 0)
        {
            if (!ConnectionSendWindow.Add(increment))
            {
                throw new WsRestProtocolException(WsRestErrorCode.FlowControlError, "A WINDOW frame raised the connection window past 2^31-1.");
            }

            return;
        }

        if (TryGetStream(frame.StreamId, out var stream))
        {
            if (!stream.SendWindow.Add(increment))
            {
                throw new WsRestProtocolException(WsRestErrorCode.FlowControlError, $"A WINDOW frame raised stream {frame.StreamId}'s window past 2^31-1.");
            }
        }
        else
        {
            ThrowIfNeverOpened(frame.StreamId, "WINDOW");
        }
    }

    private void OnGoAwayFrame(in Frame frame)
    {
        if (frame.StreamId != 0)
        {
            throw new WsRestProtocolException("GOAWAY must be sent on stream 0.");
        }

        var (lastStreamId, _, reason) = ControlFrames.ReadGoAway(frame.Payload);
        lock (_streamLock)
        {
            // Under the lock that starts local streams: none can slip out with an id past the GOAWAY.
            _remoteGoAway = true;
        }

        var message = $"The {_options.RemoteName} is shutting down (GOAWAY: {reason}); the request was not processed and may be retried.";
        var refused = new WsRestConnectionClosedException(message, notProcessed: true);
        foreach (var stream in SnapshotStreams())
        {
            if (stream.IsLocal && stream.Id > lastStreamId)
            {
                stream.Abort(refused);
            }
        }

        if (Volatile.Read(ref _activeStreams) == 0)
        {
            _drained.TrySetResult();
        }

        _remoteGoAwayReceived.TrySetResult();
    }

    /// <summary>Body bytes count against both receive windows (docs/protocol.md §7); exceeding either is a connection error.</summary>
    private void ConsumeBodyCredit(WsRestStream stream, int count)
    {
        if (count == 0)
        {
            return;
        }

        if (!_connectionReceiveWindow.TryConsume(count))
        {
            throw new WsRestProtocolException(WsRestErrorCode.FlowControlError, $"The {_options.RemoteName} sent {count} body bytes past the connection window.");
        }

        if (!stream.TryConsumeReceiveWindow(count))
        {
            throw new WsRestProtocolException(WsRestErrorCode.FlowControlError, $"The {_options.RemoteName} sent {count} body bytes past stream {stream.Id}'s window.");
        }
    }

    /// <summary>Body bytes for a stream that is already gone still count, and are released at once.</summary>
    private void ConsumeConnectionCreditOf(in Frame frame, int body)
    {
        if (body == 0)
        {
            return;
        }

        if (!_connectionReceiveWindow.TryConsume(body))
        {
            throw new WsRestProtocolException(WsRestErrorCode.FlowControlError, $"The {_options.RemoteName} sent {body} body bytes past the connection window.");
        }

        ReleaseConnectionWindow(body);
    }

    private static void RequireConnectionFrame(in Frame frame)
    {
        if (frame.StreamId != 0)
        {
            throw new WsRestProtocolException($"A {frame.Type.ToString().ToUpperInvariant()} frame must be sent on stream 0.");
        }
    }

    private bool IsLocalStreamId(ulong id) => (id & 1) == (_options.Role == PeerRole.Client ? 1UL : 0UL);

    private static void RequireStreamId(in Frame frame)
    {
        if (frame.StreamId == 0)
        {
            throw new WsRestProtocolException($"A {frame.Type.ToString().ToUpperInvariant()} frame needs a stream id.");
        }
    }

    /// <summary>A frame for a stream that is not in the table is fine if the stream existed once (it raced a reset), a violation if it never did.</summary>
    private void ThrowIfNeverOpened(ulong id, string frameName)
    {
        var opened = IsLocalStreamId(id)
            ? id < (ulong)Volatile.Read(ref _nextLocalStreamId)
            : id <= Volatile.Read(ref _lastRemoteStreamId);
        if (!opened)
        {
            throw new WsRestProtocolException($"A {frameName} frame arrived for stream {id}, which was never opened.");
        }
    }

    /// <summary>The remote reported a fatal error (ERROR frame): close without answering with an ERROR of our own.</summary>
    private sealed class RemoteErrorException(WsRestErrorCode code, string message) : Exception(message)
    {
        public WsRestErrorCode Code { get; } = code;
    }
}
