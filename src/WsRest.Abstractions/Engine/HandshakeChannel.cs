using System.Buffers;
using System.Net.WebSockets;
using WsRest.Protocol;

namespace WsRest.Engine;

/// <summary>
/// Sends and receives the handshake frames (docs/protocol.md §4) before a <see cref="WsRestPeer"/>
/// exists. Each handshake message is one WebSocket message carrying exactly one frame on stream 0.
/// </summary>
internal static class HandshakeChannel
{
    /// <summary>No handshake message may be larger than this, whatever the negotiated limits.</summary>
    public const int MaxHandshakeMessage = 64 * 1024;

    /// <summary>What a handshake receive rents first: a HELLO without much metadata, a WELCOME and READY fit.</summary>
    private const int InitialReceiveBuffer = 1024;

    public static async Task SendAsync(WebSocket socket, FrameType type, Action<IBufferWriter<byte>> writePayload, CancellationToken cancellationToken)
    {
        using var payload = new PooledBufferWriter(256);
        writePayload(payload);
        await SendFrameAsync(socket, type, payload.WrittenMemory, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>One frame as its own message, in the encoding the socket negotiated (§4, §13.2).</summary>
    private static async Task SendFrameAsync(WebSocket socket, FrameType type, ReadOnlyMemory<byte> payload, CancellationToken cancellationToken)
    {
        var format = WireFormat.For(socket.SubProtocol);
        using var message = new PooledBufferWriter(payload.Length + FrameCodec.MaxHeaderLength);
        format.WriteFrame(message, type, FrameFlags.None, 0, payload.Span, first: true);
        await socket.SendAsync(format.CompleteMessage(message, 1), format.MessageType, endOfMessage: true, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Receives one handshake frame and checks its type. Anything else, including an ERROR frame from
    /// the peer, becomes a <see cref="WsRestProtocolException"/> that says what went wrong.
    /// </summary>
    public static async Task<byte[]> ReceiveAsync(WebSocket socket, FrameType expected, int maxMessage, CancellationToken cancellationToken)
        => (await ReceiveWithCredentialAsync(socket, expected, maxMessage, cancellationToken).ConfigureAwait(false)).Payload;

    /// <summary>
    /// As <see cref="ReceiveAsync"/>, and also returns the credential a <c>wsrest.v1.json</c> HELLO carried
    /// in its <c>auth</c> member (docs/protocol.md §13.4); the binary encoding has none.
    /// </summary>
    public static async Task<(byte[] Payload, string? Credential)> ReceiveWithCredentialAsync(WebSocket socket, FrameType expected, int maxMessage, CancellationToken cancellationToken)
    {
        var format = WireFormat.For(socket.SubProtocol);
        var limit = Math.Min(maxMessage, MaxHandshakeMessage);

        // Starts small and grows only for a large HELLO (metadata): renting the limit up front took a
        // 128 KiB array per receive, more than the shared pool keeps when many handshakes run at once,
        // so a connection storm allocated them (docs/benchmarks.md, "Connection set-up and idle memory").
        // One byte over the limit is room enough to see a message that exceeds it.
        var buffer = BytePool.Rent(Math.Min(InitialReceiveBuffer, limit + 1));
        try
        {
            var total = 0;
            ValueWebSocketReceiveResult result;
            do
            {
                if (total == buffer.Length)
                {
                    var larger = BytePool.Rent(Math.Min(buffer.Length * 4, limit + 1));
                    buffer.AsSpan(0, total).CopyTo(larger);
                    BytePool.Return(buffer);
                    buffer = larger;
                }

                result = await socket.ReceiveAsync(buffer.AsMemory(total), cancellationToken).ConfigureAwait(false);
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    throw new WsRestProtocolException(WsRestErrorCode.ProtocolError, $"The peer closed the connection during the handshake: {socket.CloseStatus} {socket.CloseStatusDescription}");
                }

                if (result.MessageType != format.MessageType)
                {
                    throw new WsRestProtocolException($"Expected a {format.MessageType.ToString().ToLowerInvariant()} {Name(expected)} message ({format.SubProtocol}), got a {result.MessageType.ToString().ToLowerInvariant()} message.");
                }

                total += result.Count;
                if (total > limit)
                {
                    throw new WsRestProtocolException(WsRestErrorCode.MessageTooLarge, $"The {Name(expected)} message exceeds {limit} bytes.");
                }
            }
            while (!result.EndOfMessage);

            var frame = new HandshakeFrameSink();
            format.ReadMessage(buffer.AsSpan(0, total), frame, single: true);
            if (frame.Type == FrameType.Error && expected != FrameType.Error)
            {
                var (code, reason) = ControlFrames.ReadError(frame.Payload);
                throw new WsRestProtocolException(code, $"The peer rejected the handshake ({code}): {reason}");
            }

            if (frame.Type != expected)
            {
                throw new WsRestProtocolException($"Expected {Name(expected)} during the handshake but received frame type 0x{(byte)frame.Type:X2}; nothing but the handshake may be sent before READY.");
            }

            if (frame.StreamId != 0)
            {
                throw new WsRestProtocolException($"{Name(expected)} must be sent on stream 0.");
            }

            return (frame.Payload, (format as Protocol.Json.JsonWireFormat)?.HelloCredential);
        }
        finally
        {
            BytePool.Return(buffer);
        }
    }

    /// <summary>
    /// Tells the peer why the handshake failed (ERROR frame, then close) and waits briefly for its close
    /// reply, so the reason is delivered before the connection goes away.
    /// </summary>
    public static async Task RejectAsync(WebSocket socket, WsRestProtocolException error, TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await SendRejectionAsync(socket, error, cts.Token).ConfigureAwait(false);

            // Drain until the peer answers the close; whatever else it sends is ignored.
            var scratch = new byte[256];
            while (socket.State == WebSocketState.CloseSent)
            {
                var result = await socket.ReceiveAsync(scratch.AsMemory(), cts.Token).ConfigureAwait(false);
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    break;
                }
            }
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException or IOException)
        {
            // The peer is already gone or not listening; the rejection was best effort.
        }
    }

    /// <summary>
    /// Sends ERROR and a close frame without receiving: usable while a receive is pending (a timed-out
    /// handshake must not cancel its receive, which would abort the socket before the reason is sent).
    /// </summary>
    public static async Task SendRejectionAsync(WebSocket socket, WsRestProtocolException error, CancellationToken cancellationToken)
    {
        if (socket.State == WebSocketState.Open)
        {
            using var frame = new PooledBufferWriter(128);
            ControlFrames.WriteError(frame, error.ErrorCode, error.Message);
            FrameCodec.TryReadFrame(frame.WrittenSpan, out var encoded, out _);
            await SendFrameAsync(socket, FrameType.Error, encoded.Payload.ToArray(), cancellationToken).ConfigureAwait(false);
        }

        if (socket.State is WebSocketState.Open or WebSocketState.CloseReceived)
        {
            var status = error.ErrorCode == WsRestErrorCode.MessageTooLarge ? WebSocketCloseStatus.MessageTooBig
                : error.InnerException is UnauthorizedAccessException ? WebSocketCloseStatus.PolicyViolation // a refused credential (§13.4)
                : WebSocketCloseStatus.ProtocolError;
            var text = error.Message.Length > 60 ? error.Message[..60] : error.Message;
            await socket.CloseOutputAsync(status, text, cancellationToken).ConfigureAwait(false);
        }
    }

    private static string Name(FrameType type) => type.ToString().ToUpperInvariant();

    /// <summary>Keeps the single frame of a handshake message beyond the receive buffer's life.</summary>
    private sealed class HandshakeFrameSink : IFrameSink
    {
        public FrameType Type { get; private set; }

        public ulong StreamId { get; private set; }

        public byte[] Payload { get; private set; } = [];

        public void OnFrame(in Frame frame)
        {
            Type = frame.Type;
            StreamId = frame.StreamId;
            Payload = frame.Payload.ToArray();
        }
    }
}
