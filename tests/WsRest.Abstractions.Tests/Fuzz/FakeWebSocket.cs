using System.Net.WebSockets;

namespace WsRest.Abstractions.Tests.Fuzz;

/// <summary>
/// A WebSocket that delivers one fuzz input as one incoming message, in chunks of a chosen size,
/// synchronously (every receive completes at once), so <c>HandshakeChannel.ReceiveAsync</c> can be
/// driven by the fuzzer without sockets or threads. Sending is not supported: the channel's receive
/// path never sends.
/// </summary>
internal sealed class FakeWebSocket : WebSocket
{
    private byte[] _message = [];
    private int _position;
    private int _chunk;
    private WebSocketMessageType _type;

    public override WebSocketCloseStatus? CloseStatus => _type == WebSocketMessageType.Close ? WebSocketCloseStatus.NormalClosure : null;

    public override string? CloseStatusDescription => null;

    public override WebSocketState State => WebSocketState.Open;

    public override string? SubProtocol => "wsrest.v1";

    /// <summary>Arms the socket with the next message; <paramref name="chunk"/> 0 delivers as much as fits.</summary>
    public void Reset(byte[] message, int chunk, WebSocketMessageType type)
    {
        _message = message;
        _position = 0;
        _chunk = chunk;
        _type = type;
    }

    public override ValueTask<ValueWebSocketReceiveResult> ReceiveAsync(Memory<byte> buffer, CancellationToken cancellationToken)
    {
        if (_type == WebSocketMessageType.Close)
        {
            return new(new ValueWebSocketReceiveResult(0, WebSocketMessageType.Close, endOfMessage: true));
        }

        var count = Math.Min(_message.Length - _position, buffer.Length);
        if (_chunk > 0)
        {
            count = Math.Min(count, _chunk);
        }

        _message.AsSpan(_position, count).CopyTo(buffer.Span);
        _position += count;
        return new(new ValueWebSocketReceiveResult(count, _type, endOfMessage: _position == _message.Length));
    }

    public override async Task<WebSocketReceiveResult> ReceiveAsync(ArraySegment<byte> buffer, CancellationToken cancellationToken)
    {
        var result = await ReceiveAsync(buffer.AsMemory(), cancellationToken).ConfigureAwait(false);
        return new WebSocketReceiveResult(result.Count, result.MessageType, result.EndOfMessage);
    }

    public override Task SendAsync(ArraySegment<byte> buffer, WebSocketMessageType messageType, bool endOfMessage, CancellationToken cancellationToken)
        => throw new NotSupportedException("The fuzz socket only receives.");

    public override Task CloseAsync(WebSocketCloseStatus closeStatus, string? statusDescription, CancellationToken cancellationToken) => Task.CompletedTask;

    public override Task CloseOutputAsync(WebSocketCloseStatus closeStatus, string? statusDescription, CancellationToken cancellationToken) => Task.CompletedTask;

    public override void Abort()
    {
    }

    public override void Dispose()
    {
    }
}
