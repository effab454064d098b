using System.Globalization;
using System.Net.WebSockets;
using System.Text;

namespace WsRest.Load;

/// <summary>
/// The raw WebSocket row of the large scenarios: one socket to <see cref="LargeRawEndpoint"/>. A 64 MiB
/// message occupies the socket until its last fragment, so loops take turns (a gate): with more than
/// one in flight this row shows what one WebSocket carries, and the latency includes the wait.
/// </summary>
internal sealed class LargeRawConnection : IAsyncDisposable
{
    private readonly ClientWebSocket _socket = new();
    private readonly SemaphoreSlim _gate = new(1, 1);

    public static async Task<LargeRawConnection> ConnectAsync(int port, CancellationToken cancellationToken)
    {
        var connection = new LargeRawConnection();
        try
        {
            connection._socket.Options.KeepAliveInterval = TimeSpan.Zero;
            await connection._socket.ConnectAsync(new Uri($"ws://127.0.0.1:{port}/raw-large"), cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw;
        }

        return connection;
    }

    public IRequester CreateRequester(bool upload, long bytes, TimeSpan timeout) => new Requester(this, upload, bytes, timeout);

    public ValueTask DisposeAsync()
    {
        // Aborting is what the small raw client does too: the server treats a vanished client as the end.
        // The gate is not disposed: a loop still stuck in a request (reported as hung) releases it later.
        _socket.Abort();
        _socket.Dispose();
        return ValueTask.CompletedTask;
    }

    private sealed class Requester(LargeRawConnection connection, bool upload, long bytes, TimeSpan timeout) : IRequester
    {
        private readonly byte[] _downloadRequest = Encoding.ASCII.GetBytes(bytes.ToString(CultureInfo.InvariantCulture));
        private readonly byte[] _buffer = new byte[LargeBody.ChunkSize];

        public async ValueTask SendAsync()
        {
            using var timeoutSource = new CancellationTokenSource(timeout);
            var cancellationToken = timeoutSource.Token;
            var socket = connection._socket;
            await connection._gate.WaitAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                if (upload)
                {
                    await LargeRawEndpoint.SendAsync(socket, bytes, cancellationToken).ConfigureAwait(false);
                }
                else
                {
                    await socket.SendAsync(_downloadRequest, WebSocketMessageType.Text, endOfMessage: true, cancellationToken).ConfigureAwait(false);
                }

                long length = 0;
                ValueWebSocketReceiveResult result;
                do
                {
                    result = await socket.ReceiveAsync(_buffer.AsMemory(upload ? (int)Math.Min(length, 32) : 0), cancellationToken).ConfigureAwait(false);
                    if (result.MessageType == WebSocketMessageType.Close)
                    {
                        throw new WebSocketException($"The server closed the raw WebSocket: {socket.CloseStatus} {socket.CloseStatusDescription}");
                    }

                    length += result.Count;
                }
                while (!result.EndOfMessage);

                var received = upload ? long.Parse(_buffer.AsSpan(0, (int)Math.Min(length, 32)), CultureInfo.InvariantCulture) : length;
                if (received != bytes)
                {
                    throw new InvalidDataException($"raw large {(upload ? "upload" : "download")}: {received} bytes {(upload ? "counted by the server" : "received")}, expected {bytes}.");
                }
            }
            catch
            {
                // A message cut off half way leaves the socket out of step with the server: end it, so every
                // later request fails visibly instead of reading the rest of this one.
                socket.Abort();
                throw;
            }
            finally
            {
                connection._gate.Release();
            }
        }
    }
}
