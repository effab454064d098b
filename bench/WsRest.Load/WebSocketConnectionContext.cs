using System.Buffers;
using System.IO.Pipelines;
using System.Net.WebSockets;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.AspNetCore.Http.Features;

namespace WsRest.Load;

/// <summary>
/// A SignalR client connection over one <see cref="ClientWebSocket"/>. The <c>HubConnection</c> reads
/// and writes a duplex pipe; a send pump puts whatever it has flushed since the last send into ONE
/// WebSocket message (invocations queued together leave together), and a receive pump copies incoming
/// payloads into the input pipe (message boundaries do not matter: the hub protocol frames its own).
/// </summary>
internal sealed class WebSocketConnectionContext : ConnectionContext
{
    private static readonly TimeSpan CloseTimeout = TimeSpan.FromSeconds(5);

    // Bounded both ways by the pipes' default pause threshold (64 KiB): a slow socket stalls the
    // hub connection's flushes, a slow hub connection stalls the receive pump.
    private readonly Pipe _toServer = new(new PipeOptions(useSynchronizationContext: false));
    private readonly Pipe _fromServer = new(new PipeOptions(useSynchronizationContext: false));
    private readonly ClientWebSocket _socket;
    private readonly TransferFormatFeature _format = new();
    private Task _pumps = Task.CompletedTask;

    private WebSocketConnectionContext(ClientWebSocket socket, Uri uri)
    {
        _socket = socket;
        ConnectionId = uri.ToString();
        Features.Set<ITransferFormatFeature>(_format);
        Transport = new DuplexPipe(_fromServer.Reader, _toServer.Writer);
    }

    public override string ConnectionId { get; set; }

    public override IFeatureCollection Features { get; } = new FeatureCollection();

    public override IDictionary<object, object?> Items { get; set; } = new Dictionary<object, object?>();

    public override IDuplexPipe Transport { get; set; }

    /// <summary>Wraps a connected socket and starts both pumps.</summary>
    public static WebSocketConnectionContext Start(ClientWebSocket socket, Uri uri)
    {
        var context = new WebSocketConnectionContext(socket, uri);
        context._pumps = Task.WhenAll(
            Task.Run(context.ReceivePumpAsync, CancellationToken.None),
            Task.Run(context.SendPumpAsync, CancellationToken.None));
        return context;
    }

    public override void Abort(ConnectionAbortedException abortReason) => _socket.Abort();

    /// <summary>Closes the WebSocket (bounded: aborted if the server does not answer the close in time).</summary>
    public override async ValueTask DisposeAsync()
    {
        // Ends the send pump, which starts the close handshake; the server's close ends the receive pump.
        _toServer.Reader.CancelPendingRead();
        try
        {
            await _pumps.WaitAsync(CloseTimeout).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            _socket.Abort();
            await _pumps.ConfigureAwait(false);
        }
        finally
        {
            _socket.Dispose();
            await base.DisposeAsync().ConfigureAwait(false);
        }
    }

    private async Task ReceivePumpAsync()
    {
        var writer = _fromServer.Writer;
        Exception? error = null;
        try
        {
            while (true)
            {
                // Zero-byte receive first: an idle connection holds no pipe buffer.
                var ready = await _socket.ReceiveAsync(Memory<byte>.Empty, CancellationToken.None).ConfigureAwait(false);
                if (ready.MessageType == WebSocketMessageType.Close)
                {
                    break;
                }

                var received = await _socket.ReceiveAsync(writer.GetMemory(), CancellationToken.None).ConfigureAwait(false);
                if (received.MessageType == WebSocketMessageType.Close)
                {
                    break;
                }

                writer.Advance(received.Count);
                var flushed = await writer.FlushAsync().ConfigureAwait(false);
                if (flushed.IsCompleted)
                {
                    // The hub connection stopped reading: nothing left to deliver to.
                    break;
                }
            }
        }
        catch (Exception ex)
        {
            // Handed to the hub connection, which fails its pending invocations with it.
            error = ex;
        }
        finally
        {
            await writer.CompleteAsync(error).ConfigureAwait(false);
            // A close from the server needs our close in reply: the send pump sends it.
            _toServer.Reader.CancelPendingRead();
        }
    }

    private async Task SendPumpAsync()
    {
        var reader = _toServer.Reader;
        Exception? error = null;
        try
        {
            while (true)
            {
                var result = await reader.ReadAsync().ConfigureAwait(false);
                if (result.IsCanceled)
                {
                    reader.AdvanceTo(result.Buffer.Start);
                    break;
                }

                var buffer = result.Buffer;
                try
                {
                    if (!buffer.IsEmpty)
                    {
                        await SendMessageAsync(buffer).ConfigureAwait(false);
                    }
                }
                finally
                {
                    reader.AdvanceTo(buffer.End);
                }

                if (result.IsCompleted)
                {
                    break;
                }
            }

            if (_socket.State is WebSocketState.Open or WebSocketState.CloseReceived)
            {
                using var timeout = new CancellationTokenSource(CloseTimeout);
                await _socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, timeout.Token).ConfigureAwait(false);
            }
        }
        catch (Exception ex)
        {
            // The hub connection's next write fails with it; the receive pump must not wait on a dead socket.
            error = ex;
            _socket.Abort();
        }
        finally
        {
            await reader.CompleteAsync(error).ConfigureAwait(false);
        }
    }

    private async ValueTask SendMessageAsync(ReadOnlySequence<byte> buffer)
    {
        var type = _format.ActiveFormat == TransferFormat.Binary ? WebSocketMessageType.Binary : WebSocketMessageType.Text;
        if (buffer.IsSingleSegment)
        {
            await _socket.SendAsync(buffer.First, type, WebSocketMessageFlags.EndOfMessage, CancellationToken.None).ConfigureAwait(false);
            return;
        }

        // One message in several frames: each segment goes out when the next is known not to be the last.
        ReadOnlyMemory<byte> pending = default;
        var first = true;
        foreach (var segment in buffer)
        {
            if (!first)
            {
                await _socket.SendAsync(pending, type, WebSocketMessageFlags.None, CancellationToken.None).ConfigureAwait(false);
            }

            pending = segment;
            first = false;
        }

        await _socket.SendAsync(pending, type, WebSocketMessageFlags.EndOfMessage, CancellationToken.None).ConfigureAwait(false);
    }

    private sealed class DuplexPipe(PipeReader input, PipeWriter output) : IDuplexPipe
    {
        public PipeReader Input { get; } = input;

        public PipeWriter Output { get; } = output;
    }

    /// <summary>Text or binary frames, as the hub protocol the connection settles on needs (JSON: text).</summary>
    private sealed class TransferFormatFeature : ITransferFormatFeature
    {
        public TransferFormat SupportedFormats => TransferFormat.Text | TransferFormat.Binary;

        public TransferFormat ActiveFormat { get; set; } = TransferFormat.Text;
    }
}
