using System.Buffers.Binary;
using System.Net.WebSockets;
using System.Threading.Channels;

namespace WsRest.Load;

/// <summary>
/// A tiny multiplexing client for <see cref="RawEchoEndpoint"/> on ONE WebSocket: a single writer
/// loop sends queued requests, a single reader loop matches responses to requests by id.
/// </summary>
internal sealed class RawWebSocketClient : IAsyncDisposable
{
    private readonly ClientWebSocket _socket = new();
    private readonly Channel<RawRequest> _sendQueue = Channel.CreateUnbounded<RawRequest>(new UnboundedChannelOptions { SingleReader = true });
    private readonly List<RawRequest> _requests = [];
    private readonly Lock _lock = new();
    private RawRequest[] _slots = [];
    private volatile Exception? _closed;
    private Task _reader = Task.CompletedTask;
    private Task _writer = Task.CompletedTask;

    public async Task ConnectAsync(Uri endpoint, CancellationToken cancellationToken)
    {
        _socket.Options.KeepAliveInterval = TimeSpan.Zero;
        await _socket.ConnectAsync(endpoint, cancellationToken).ConfigureAwait(false);
        _reader = Task.Run(ReadLoopAsync, CancellationToken.None);
        _writer = Task.Run(WriteLoopAsync, CancellationToken.None);
    }

    /// <summary>A reusable request for one load loop (the payload is fixed; empty asks for the small answer).</summary>
    public RawRequest CreateRequest(ReadOnlySpan<byte> payload)
    {
        lock (_lock)
        {
            var request = new RawRequest(this, _requests.Count, payload);
            _requests.Add(request);
            _slots = [.. _requests];
            return request;
        }
    }

    internal void Enqueue(RawRequest request)
    {
        // Either this sees the close, or the closing reader sees the request in flight and fails it.
        if (_closed is { } closed || !_sendQueue.Writer.TryWrite(request))
        {
            request.Fail(_closed ?? new WebSocketException("The raw WebSocket is closed."));
        }
    }

    private async Task WriteLoopAsync()
    {
        try
        {
            var reader = _sendQueue.Reader;
            while (await reader.WaitToReadAsync().ConfigureAwait(false))
            {
                while (reader.TryRead(out var request))
                {
                    await _socket.SendAsync(request.Message, WebSocketMessageType.Binary, endOfMessage: true, CancellationToken.None).ConfigureAwait(false);
                }
            }
        }
        catch (Exception ex)
        {
            Close(ex);
        }
    }

    private async Task ReadLoopAsync()
    {
        var buffer = new byte[RawEchoEndpoint.MaxMessage];
        try
        {
            while (true)
            {
                var length = 0;
                ValueWebSocketReceiveResult result;
                do
                {
                    if (length == buffer.Length)
                    {
                        throw new WebSocketException("Raw response larger than expected.");
                    }

                    result = await _socket.ReceiveAsync(buffer.AsMemory(length), CancellationToken.None).ConfigureAwait(false);
                    if (result.MessageType == WebSocketMessageType.Close)
                    {
                        throw new WebSocketException($"The server closed the raw WebSocket: {_socket.CloseStatus} {_socket.CloseStatusDescription}");
                    }

                    length += result.Count;
                }
                while (!result.EndOfMessage);

                var id = BinaryPrimitives.ReadUInt64LittleEndian(buffer);
                var slots = _slots;
                var slot = (int)(uint)id;
                if (length < RawEchoEndpoint.IdSize || slot >= slots.Length || slots[slot].CurrentId != id)
                {
                    throw new WebSocketException($"Unexpected raw response id {id:x16}.");
                }

                slots[slot].Complete(length - RawEchoEndpoint.IdSize);
            }
        }
        catch (Exception ex)
        {
            Close(ex);
        }
    }

    private void Close(Exception reason)
    {
        _closed ??= reason;
        Interlocked.MemoryBarrier();
        _sendQueue.Writer.TryComplete();
        _socket.Abort();
        foreach (var request in _slots)
        {
            request.Fail(reason);
        }
    }

    public async ValueTask DisposeAsync()
    {
        Close(new ObjectDisposedException(nameof(RawWebSocketClient)));
        await Task.WhenAll(_reader, _writer).WaitAsync(TimeSpan.FromSeconds(5)).ConfigureAwait(false);
        _socket.Dispose();
    }
}
