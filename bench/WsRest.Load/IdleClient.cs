using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Net.WebSockets;
using System.Text;
using WsRest.Client;

namespace WsRest.Load;

/// <summary>
/// The hidden <c>--idle-client &lt;port&gt;</c> mode: the client side of <c>--idle</c>, in a child
/// process so the server's memory is measured alone and the two ends' sockets do not share one file
/// descriptor limit. Driven line by line over stdin, answering on stdout (<see cref="IdleClientProcess"/>):
/// <list type="bullet">
/// <item><c>open &lt;kind&gt; &lt;count&gt; &lt;parallel&gt;</c> → <c>opened &lt;ok&gt; &lt;failed&gt; &lt;seconds&gt; &lt;bytes allocated&gt; &lt;CPU ms&gt; &lt;first error&gt;</c></item>
/// <item><c>alive</c> → <c>alive &lt;n&gt;</c>: connections still open as far as this side can tell</item>
/// <item><c>close</c> → <c>closed</c></item>
/// </list>
/// End of stdin closes everything and exits.
/// </summary>
internal static class IdleClient
{
    public static async Task<int> RunAsync(string[] args)
    {
        var port = int.Parse(args[0], CultureInfo.InvariantCulture);
        using var profiler = args.Contains("--alloc-profile") ? new AllocationProfiler() : null;
        var open = new List<IIdleConnection>();
        string? line;
        while ((line = await Console.In.ReadLineAsync().ConfigureAwait(false)) is not null)
        {
            var words = line.Split(' ');
            switch (words[0])
            {
                case "open":
                    var kind = Enum.Parse<IdleKind>(words[1]);
                    var count = int.Parse(words[2], CultureInfo.InvariantCulture);
                    var parallel = int.Parse(words[3], CultureInfo.InvariantCulture);
                    profiler?.Start();
                    Console.WriteLine(await OpenAsync(kind, port, count, parallel, open).ConfigureAwait(false));
                    if (profiler is not null)
                    {
                        AllocationProfiler.Print(Console.Error, $"client, open {kind} x{count}", profiler.Stop(), count);
                    }

                    break;
                case "alive":
                    Console.WriteLine($"alive {open.Count(c => c.IsOpen)}");
                    break;
                case "close":
                    await CloseAllAsync(open).ConfigureAwait(false);
                    Console.WriteLine("closed");
                    break;
                default:
                    await Console.Error.WriteLineAsync($"idle client: unknown command '{line}'").ConfigureAwait(false);
                    return 2;
            }
        }

        await CloseAllAsync(open).ConfigureAwait(false);
        return 0;
    }

    /// <summary>
    /// Opens <paramref name="count"/> connections, at most <paramref name="parallel"/> handshakes at a
    /// time; the time is from the first connect to the last completed handshake.
    /// </summary>
    private static async Task<string> OpenAsync(IdleKind kind, int port, int count, int parallel, List<IIdleConnection> open)
    {
        var opened = new IIdleConnection?[count];
        var next = -1;
        var failed = 0;
        string? firstError = null;
        // Load-independent evidence beside the rate: what this side allocated and the CPU it spent on the
        // whole open phase (every thread of the process), divided per connection by the parent.
        var costBefore = IdleCost.Now();
        var clock = Stopwatch.StartNew();
        var workers = Enumerable.Range(0, Math.Min(parallel, count)).Select(_ => Task.Run(async () =>
        {
            int i;
            while ((i = Interlocked.Increment(ref next)) < count)
            {
                try
                {
                    using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
                    opened[i] = await ConnectAsync(kind, port, timeout.Token).ConfigureAwait(false);
                }
                catch (Exception ex)
                {
                    Interlocked.Increment(ref failed);
                    Interlocked.CompareExchange(ref firstError, $"{ex.GetType().Name}: {ex.Message}", null);
                }
            }
        }));
        await Task.WhenAll(workers).ConfigureAwait(false);
        var seconds = clock.Elapsed.TotalSeconds;
        var cost = IdleCost.Now() - costBefore;
        open.AddRange(opened.OfType<IIdleConnection>());
        var error = (firstError ?? "-").ReplaceLineEndings(" ");
        return string.Create(CultureInfo.InvariantCulture, $"opened {count - failed} {failed} {seconds:0.000} {cost.AllocatedBytes} {cost.Cpu.TotalMilliseconds:0.0} {error}");
    }

    private static async Task<IIdleConnection> ConnectAsync(IdleKind kind, int port, CancellationToken cancellationToken)
    {
        switch (kind)
        {
            case IdleKind.WsRest:
                var client = new WsRestClient(new WsRestClientOptions { Endpoint = new Uri($"ws://127.0.0.1:{port}/wsrest") });
                try
                {
                    await client.ConnectAsync(cancellationToken).ConfigureAwait(false);
                    return new IdleWsRest(client);
                }
                catch
                {
                    await client.DisposeAsync().ConfigureAwait(false);
                    throw;
                }

            case IdleKind.RawWebSocket:
                var socket = new ClientWebSocket();
                try
                {
                    await socket.ConnectAsync(new Uri($"ws://127.0.0.1:{port}/idle-raw"), cancellationToken).ConfigureAwait(false);
                    return new IdleRawWebSocket(socket);
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }

            case IdleKind.Http11KeepAlive:
                return await IdleHttp11.ConnectAsync(port, cancellationToken).ConfigureAwait(false);

            default:
                throw new ArgumentOutOfRangeException(nameof(kind));
        }
    }

    private static async Task CloseAllAsync(List<IIdleConnection> open)
    {
        // In parallel batches: closing 10,000 one after another would take longer than opening them.
        foreach (var batch in open.Chunk(256))
        {
            await Task.WhenAll(batch.Select(c => c.DisposeAsync().AsTask())).ConfigureAwait(false);
        }

        open.Clear();
    }

    private interface IIdleConnection : IAsyncDisposable
    {
        bool IsOpen { get; }
    }

    /// <summary>Open while the client is connected and has not lost its connection since (a reconnect would hide a drop).</summary>
    private sealed class IdleWsRest : IIdleConnection
    {
        private readonly WsRestClient _client;
        private readonly string? _connectionId;

        public IdleWsRest(WsRestClient client)
        {
            _client = client;
            _connectionId = client.ConnectionId;
        }

        public bool IsOpen => _client.State == WsRestConnectionState.Connected && _client.ConnectionId == _connectionId;

        public ValueTask DisposeAsync() => _client.DisposeAsync();
    }

    /// <summary>A receive stays pending (zero bytes, so no buffer): it completes only if the server closes or the connection fails.</summary>
    private sealed class IdleRawWebSocket : IIdleConnection
    {
        private readonly ClientWebSocket _socket;
        private readonly Task _receive;

        public IdleRawWebSocket(ClientWebSocket socket)
        {
            _socket = socket;
            _receive = socket.ReceiveAsync(Memory<byte>.Empty, CancellationToken.None).AsTask();
        }

        public bool IsOpen => !_receive.IsCompleted && _socket.State == WebSocketState.Open;

        public async ValueTask DisposeAsync()
        {
            try
            {
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
                await _socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, timeout.Token).ConfigureAwait(false);
                await _receive.WaitAsync(timeout.Token).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is WebSocketException or OperationCanceledException)
            {
                await Console.Error.WriteLineAsync($"idle client: closing a raw WebSocket failed: {ex.Message}").ConfigureAwait(false);
            }
            finally
            {
                _socket.Dispose();
            }
        }
    }

    /// <summary>An HTTP/1.1 connection after one GET /small; a pending zero-byte receive tells when the server closes it.</summary>
    private sealed class IdleHttp11 : IIdleConnection
    {
        private readonly Socket _socket;
        private readonly Task _watch;

        private IdleHttp11(Socket socket)
        {
            _socket = socket;
            _watch = WatchAsync();
        }

        public bool IsOpen => !_watch.IsCompleted;

        /// <summary>Completes when the server closes the connection or sends anything.</summary>
        private async Task WatchAsync()
        {
            while (true)
            {
                await _socket.ReceiveAsync(Memory<byte>.Empty, SocketFlags.None).ConfigureAwait(false);

                // A zero-byte receive only says "maybe readable": it also completes on a readiness
                // notification left over from the response already read (seen: 61 of 10,000). Closed
                // means readable with nothing to read.
                if (_socket.Available > 0 || _socket.Poll(0, SelectMode.SelectRead))
                {
                    return;
                }
            }
        }

        public static async Task<IIdleConnection> ConnectAsync(int port, CancellationToken cancellationToken)
        {
            var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            try
            {
                await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, port), cancellationToken).ConfigureAwait(false);
                await socket.SendAsync(Encoding.ASCII.GetBytes("GET /small HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"), cancellationToken).ConfigureAwait(false);
                await ReadResponseAsync(socket, cancellationToken).ConfigureAwait(false);
                return new IdleHttp11(socket);
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        }

        /// <summary>Reads the head and the Content-Length body of GET /small, so nothing is left unread on the connection.</summary>
        private static async Task ReadResponseAsync(Socket socket, CancellationToken cancellationToken)
        {
            var buffer = new byte[4096];
            var length = 0;
            while (true)
            {
                var read = await socket.ReceiveAsync(buffer.AsMemory(length), cancellationToken).ConfigureAwait(false);
                if (read == 0)
                {
                    throw new IOException("The server closed the connection before its response was complete.");
                }

                length += read;
                var text = Encoding.ASCII.GetString(buffer, 0, length);
                var end = text.IndexOf("\r\n\r\n", StringComparison.Ordinal);
                if (end < 0)
                {
                    continue;
                }

                if (!text.StartsWith("HTTP/1.1 200", StringComparison.Ordinal))
                {
                    throw new IOException($"GET /small answered: {text[..text.IndexOf('\r')]}");
                }

                if (length - (end + 4) >= Payloads.SmallJson.Length)
                {
                    return;
                }
            }
        }

        public ValueTask DisposeAsync()
        {
            // Disposing a connected socket sends FIN: Kestrel sees an orderly close between requests.
            _socket.Dispose();
            return ValueTask.CompletedTask;
        }
    }
}
