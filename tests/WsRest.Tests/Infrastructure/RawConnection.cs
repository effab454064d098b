using System.Buffers;
using System.Net.WebSockets;
using WsRest.Engine;
using WsRest.Protocol;

namespace WsRest.Tests.Infrastructure;

/// <summary>
/// A hand-driven wsrest.v1 client over a bare <see cref="ClientWebSocket"/>, for tests that must send
/// what a well-behaved peer never would.
/// </summary>
public sealed class RawConnection : IAsyncDisposable
{
    private RawConnection(ClientWebSocket socket)
    {
        Socket = socket;
    }

    public ClientWebSocket Socket { get; }

    public static async Task<RawConnection> OpenAsync(Uri endpoint, bool handshake = true, string subProtocol = WsRestProtocol.SubProtocol, Action<ClientWebSocketOptions>? configure = null)
    {
        var socket = new ClientWebSocket();
        socket.Options.AddSubProtocol(subProtocol);
        configure?.Invoke(socket.Options);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await socket.ConnectAsync(endpoint, timeout.Token);
        var connection = new RawConnection(socket);
        if (handshake)
        {
            await connection.HandshakeAsync();
        }

        return connection;
    }

    internal async Task<WelcomeFrame> HandshakeAsync(PeerSettings? settings = null)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var hello = new HelloFrame(WsRestProtocol.Version, settings ?? new PeerSettings(), [], null);
        await HandshakeChannel.SendAsync(Socket, FrameType.Hello, hello.Write, timeout.Token);
        var welcome = WelcomeFrame.Read(await HandshakeChannel.ReceiveAsync(Socket, FrameType.Welcome, 1 << 20, timeout.Token));
        await HandshakeChannel.SendAsync(Socket, FrameType.Ready, static _ => { }, timeout.Token);
        return welcome;
    }

    public Task SendBytesAsync(byte[] message) => Socket.SendAsync(message, WebSocketMessageType.Binary, true, CancellationToken.None);

    internal Task SendFrameAsync(FrameType type, FrameFlags flags, ulong streamId, ReadOnlySpan<byte> payload)
    {
        var writer = new ArrayBufferWriter<byte>();
        FrameCodec.WriteFrame(writer, type, flags, streamId, payload);
        return SendBytesAsync(writer.WrittenSpan.ToArray());
    }

    /// <summary>A REQUEST frame for GET <paramref name="path"/> with END set.</summary>
    internal static byte[] EncodeGet(string path, bool endStream = true, IEnumerable<KeyValuePair<string, string>>? headers = null)
    {
        var payload = new ArrayBufferWriter<byte>();
        RequestHead.WriteStart(payload, "GET", path);
        foreach (var (name, value) in headers ?? [])
        {
            HeaderCodec.WriteHeader(payload, name, value);
        }

        HeaderCodec.WriteEnd(payload);
        return payload.WrittenSpan.ToArray();
    }

    internal Task SendGetAsync(ulong streamId, string path, bool endStream = true)
        => SendFrameAsync(FrameType.Request, endStream ? FrameFlags.EndStream : FrameFlags.None, streamId, EncodeGet(path));

    /// <summary>Receives frames until one of <paramref name="type"/> arrives (for <paramref name="streamId"/>, if given).</summary>
    internal Task<(FrameType Type, FrameFlags Flags, ulong StreamId, byte[] Payload)> ReceiveFrameAsync(FrameType type, ulong? streamId = null)
        => ReceiveFrameAsync([type], streamId);

    /// <summary>Receives frames until one of <paramref name="type"/> for <paramref name="streamId"/> also satisfies <paramref name="match"/>.</summary>
    internal async Task<(FrameType Type, FrameFlags Flags, ulong StreamId, byte[] Payload)> ReceiveFrameAsync(FrameType type, ulong streamId, Func<(FrameType Type, FrameFlags Flags, ulong StreamId, byte[] Payload), bool> match)
    {
        while (true)
        {
            var frame = await ReceiveFrameAsync([type], streamId);
            if (match(frame))
            {
                return frame;
            }
        }
    }

    /// <summary>Receives frames until one of <paramref name="types"/> arrives (for <paramref name="streamId"/>, if given).</summary>
    internal async Task<(FrameType Type, FrameFlags Flags, ulong StreamId, byte[] Payload)> ReceiveFrameAsync(FrameType[] types, ulong? streamId = null)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (true)
        {
            var message = await ReceiveMessageAsync(timeout.Token);
            if (message is null)
            {
                throw new InvalidOperationException($"The server closed the connection ({Socket.CloseStatus}: {Socket.CloseStatusDescription}) before a {string.Join('/', types)} frame arrived.");
            }

            var span = message.AsSpan();
            while (!span.IsEmpty && FrameCodec.TryReadFrame(span, out var frame, out var consumed))
            {
                if (types.Contains(frame.Type) && (streamId is null || frame.StreamId == streamId))
                {
                    return (frame.Type, frame.Flags, frame.StreamId, frame.Payload.ToArray());
                }

                span = span[consumed..];
            }
        }
    }

    /// <summary>Every frame of the next message, in order (null once the server closed).</summary>
    internal async Task<List<(FrameType Type, FrameFlags Flags, ulong StreamId, byte[] Payload)>?> ReceiveFramesAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var message = await ReceiveMessageAsync(timeout.Token);
        if (message is null)
        {
            return null;
        }

        var frames = new List<(FrameType, FrameFlags, ulong, byte[])>();
        var span = message.AsSpan();
        while (!span.IsEmpty && FrameCodec.TryReadFrame(span, out var frame, out var consumed))
        {
            frames.Add((frame.Type, frame.Flags, frame.StreamId, frame.Payload.ToArray()));
            span = span[consumed..];
        }

        return frames;
    }

    /// <summary>
    /// Receives the response on <paramref name="streamId"/>: its status and whole body (RESPONSE, then DATA
    /// up to END, wherever the messages split them), or the negated error code of a CANCEL for it.
    /// </summary>
    internal async Task<(int Status, byte[] Body)> ReceiveResponseAsync(ulong streamId)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var body = new ArrayBufferWriter<byte>();
        var status = 0;
        while (true)
        {
            var message = await ReceiveMessageAsync(timeout.Token)
                ?? throw new InvalidOperationException($"The server closed the connection ({Socket.CloseStatus}: {Socket.CloseStatusDescription}) before the response on stream {streamId} ended.");
            var span = message.AsSpan();
            while (!span.IsEmpty && FrameCodec.TryReadFrame(span, out var frame, out var consumed))
            {
                span = span[consumed..];
                if (frame.StreamId != streamId)
                {
                    continue;
                }

                switch (frame.Type)
                {
                    case FrameType.Cancel:
                        return (-(int)ControlFrames.ReadCancel(frame.Payload), []);
                    case FrameType.Response:
                        var head = new ResponseHead();
                        body.Write(head.Read(frame.Payload, int.MaxValue));
                        status = head.StatusCode;
                        break;
                    case FrameType.Data:
                        body.Write(frame.Payload);
                        break;
                    default:
                        continue;
                }

                if ((frame.Flags & FrameFlags.EndStream) != 0)
                {
                    return (status, body.WrittenSpan.ToArray());
                }
            }
        }
    }

    /// <summary>Reads until the server closes; returns the ERROR frame it sent first, if any.</summary>
    internal async Task<(WsRestErrorCode? Code, string? Reason)> ReceiveUntilClosedAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        (WsRestErrorCode?, string?) error = (null, null);
        while (true)
        {
            byte[]? message;
            try
            {
                message = await ReceiveMessageAsync(timeout.Token);
            }
            catch (WebSocketException)
            {
                return error;
            }

            if (message is null)
            {
                // Answer the close, as a WebSocket endpoint does: the server reads until it has our close
                // (so its last frames are not lost to a reset) and would otherwise wait its close timeout.
                if (Socket.State == WebSocketState.CloseReceived)
                {
                    await Socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, string.Empty, timeout.Token);
                }

                return error;
            }

            var span = message.AsSpan();
            while (!span.IsEmpty && FrameCodec.TryReadFrame(span, out var frame, out var consumed))
            {
                if (frame.Type == FrameType.Error)
                {
                    var (code, reason) = ControlFrames.ReadError(frame.Payload);
                    error = (code, reason);
                }

                span = span[consumed..];
            }
        }
    }

    private async Task<byte[]?> ReceiveMessageAsync(CancellationToken cancellationToken)
    {
        var buffer = new ArrayBufferWriter<byte>();
        while (true)
        {
            var memory = buffer.GetMemory(4096);
            var result = await Socket.ReceiveAsync(memory, cancellationToken);
            if (result.MessageType == WebSocketMessageType.Close)
            {
                return null;
            }

            buffer.Advance(result.Count);
            if (result.EndOfMessage)
            {
                return buffer.WrittenSpan.ToArray();
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        Socket.Abort();
        Socket.Dispose();
        await Task.CompletedTask;
    }
}
