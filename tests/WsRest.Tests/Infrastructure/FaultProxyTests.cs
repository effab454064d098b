using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Threading.Channels;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace WsRest.Tests.Infrastructure;

/// <summary>
/// <see cref="FaultProxy"/> against real sockets: a client socket, the proxy and an inline echo server, all on
/// 127.0.0.1. Negative checks ("nothing arrives") use a read cancelled after <see cref="QuietWindow"/>; every
/// positive wait is an awaited event bounded by a 10 s deadline.
/// </summary>
public class FaultProxyTests
{
    private static readonly TimeSpan QuietWindow = TimeSpan.FromMilliseconds(300);

    [Test]
    public async Task PassThroughEchoesBytesInBothDirections()
    {
        await using var server = EchoServer.Start();
        await using var proxy = FaultProxy.Start(server.EndPoint);
        using var client = await ConnectAsync(proxy);

        await SendAsync(client, "hello");
        Assert.That(await ReceiveTextAsync(client, 5), Is.EqualTo("hello"));

        // Larger than the pump buffer, so it crosses several chunks; sent while reading to avoid filling buffers.
        var payload = new byte[300_000];
        for (var i = 0; i < payload.Length; i++)
        {
            payload[i] = (byte)(i * 31 % 251);
        }

        var send = SendAsync(client, payload);
        var echoed = await ReceiveAsync(client, payload.Length);
        await send;
        Assert.That(echoed, Is.EqualTo(payload));
        Assert.That(proxy.Mode, Is.EqualTo(FaultProxyMode.PassThrough));
    }

    [Test]
    public async Task DelayHoldsEachChunkInBothDirectionsAndKeepsOrder()
    {
        await using var server = EchoServer.Start();
        await using var proxy = FaultProxy.Start(server.EndPoint);
        using var client = await ConnectAsync(proxy);
        var delay = TimeSpan.FromMilliseconds(250);

        proxy.Delay(delay);
        Assert.That(proxy.Mode, Is.EqualTo(FaultProxyMode.Delay));
        Assert.That(proxy.CurrentDelay, Is.EqualTo(delay));

        var stopwatch = Stopwatch.StartNew();
        await SendAsync(client, "ab");
        await SendAsync(client, "cd");
        await SendAsync(client, "ef");
        var echoed = await ReceiveTextAsync(client, 6);
        stopwatch.Stop();

        Assert.That(echoed, Is.EqualTo("abcdef"), "order is kept");

        // Delayed once upstream and once downstream; the allowance covers coarse timer clocks firing a little early.
        Assert.That(stopwatch.Elapsed, Is.GreaterThanOrEqualTo((2 * delay) - TimeSpan.FromMilliseconds(40)));

        proxy.PassThrough();
        await SendAsync(client, "gh");
        Assert.That(await ReceiveTextAsync(client, 2), Is.EqualTo("gh"));
    }

    /// <summary>
    /// Bytes sent while the proxy is a blackhole are dropped for good (they are not delivered when the network
    /// "heals"), and while it lasts neither side sees FIN or RST. Once it heals, a connection that lost bytes is
    /// reset on its next byte (a TCP stream never resumes with a hole in it), and one that lost nothing goes on.
    /// </summary>
    [Test]
    public async Task BlackholeDropsBytesAndResetsTheConnectionsThatLostSomeOnceItHeals()
    {
        await using var server = EchoServer.Start();
        await using var proxy = FaultProxy.Start(server.EndPoint);
        using var client = await ConnectAsync(proxy);
        using var quiet = await ConnectAsync(proxy);
        using var deadline = Deadline();
        foreach (var socket in new[] { client, quiet })
        {
            await SendAsync(socket, "warm");
            Assert.That(await ReceiveTextAsync(socket, 4), Is.EqualTo("warm"));
        }

        var receivedBefore = server.BytesReceived;

        proxy.Blackhole();
        Assert.That(proxy.Mode, Is.EqualTo(FaultProxyMode.Blackhole));

        // Upstream: the client's bytes never reach the server, so nothing is echoed.
        await SendAsync(client, "lost-up");
        await proxy.WaitUntilAsync(p => p.BytesDropped >= "lost-up".Length, deadline.Token);
        await AssertNothingArrivesAsync(client);

        Assert.That(server.BytesReceived, Is.EqualTo(receivedBefore), "the server received nothing");
        Assert.That(server.EndedConnections.TryRead(out _), Is.False, "the server saw neither FIN nor RST");
        Assert.That(proxy.ActiveConnections, Is.EqualTo(2));

        // The network heals: the connection that lost nothing carries bytes as before ...
        proxy.PassThrough();
        await SendAsync(quiet, "back");
        Assert.That(await ReceiveTextAsync(quiet, 4), Is.EqualTo("back"));

        // ... and the one with a hole in its stream is reset, both sides, on its next byte.
        await SendAsync(client, "next");
        Assert.That(await ReadUntilEndAsync(client), Is.EqualTo(SocketError.ConnectionReset));
        Assert.That(await server.EndedConnections.ReadAsync(deadline.Token), Is.EqualTo(SocketError.ConnectionReset));
        Assert.That(server.BytesReceived, Is.EqualTo(receivedBefore + 4), "only the quiet connection's bytes arrived");
        Assert.That(proxy.BytesDropped, Is.EqualTo("lost-up".Length));
        await proxy.WaitUntilAsync(p => p.ActiveConnections == 1, deadline.Token);
    }

    /// <summary>Bytes the server pushes into a blackhole are dropped too, and the connection is reset once it heals.</summary>
    [Test]
    public async Task BlackholeDropsDownstreamBytesAndTheServersNextBytesResetTheConnection()
    {
        await using var server = EchoServer.Start();
        await using var proxy = FaultProxy.Start(server.EndPoint);
        using var client = await ConnectAsync(proxy);
        using var deadline = Deadline();
        await SendAsync(client, "warm");
        Assert.That(await ReceiveTextAsync(client, 4), Is.EqualTo("warm"));

        proxy.Blackhole();
        await server.PushToAllAsync(Encoding.ASCII.GetBytes("lost-down"));
        await proxy.WaitUntilAsync(p => p.BytesDropped >= "lost-down".Length, deadline.Token);
        await AssertNothingArrivesAsync(client);

        proxy.PassThrough();
        await server.PushToAllAsync(Encoding.ASCII.GetBytes("after"));
        Assert.That(await ReadUntilEndAsync(client), Is.EqualTo(SocketError.ConnectionReset), "none of the bytes after the hole arrive");
        Assert.That(await server.EndedConnections.ReadAsync(deadline.Token), Is.EqualTo(SocketError.ConnectionReset));
    }

    [Test]
    public async Task BlackholeHidesTheClientsResetFromTheServerUntilTheNetworkHeals()
    {
        await using var server = EchoServer.Start();
        await using var proxy = FaultProxy.Start(server.EndPoint);
        var client = await ConnectAsync(proxy);
        await SendAsync(client, "warm");
        Assert.That(await ReceiveTextAsync(client, 4), Is.EqualTo("warm"));

        proxy.Blackhole();
        client.LingerState = new LingerOption(true, 0);
        client.Dispose();

        // Half-open: the server's connection stays up.
        using (var quiet = new CancellationTokenSource(QuietWindow))
        {
            await Assert.ThatAsync(
                async () => await server.EndedConnections.ReadAsync(quiet.Token),
                Throws.InstanceOf<OperationCanceledException>());
        }

        // Once bytes flow again, the server's next bytes hit the dead client side and the pair is reset.
        proxy.PassThrough();
        await server.PushToAllAsync(Encoding.ASCII.GetBytes("anyone?"));
        using var deadline = Deadline();
        Assert.That(await server.EndedConnections.ReadAsync(deadline.Token), Is.EqualTo(SocketError.ConnectionReset));
        await proxy.WaitUntilAsync(p => p.ActiveConnections == 0, deadline.Token);
    }

    [Test]
    public async Task ResetAllResetsBothSidesOfEveryCurrentConnectionButNotFutureOnes()
    {
        await using var server = EchoServer.Start();
        await using var proxy = FaultProxy.Start(server.EndPoint);
        using var first = await ConnectAsync(proxy);
        using var second = await ConnectAsync(proxy);
        foreach (var client in new[] { first, second })
        {
            await SendAsync(client, "hi");
            Assert.That(await ReceiveTextAsync(client, 2), Is.EqualTo("hi"));
        }

        proxy.ResetAll();

        Assert.That(await ReadUntilEndAsync(first), Is.EqualTo(SocketError.ConnectionReset));
        Assert.That(await ReadUntilEndAsync(second), Is.EqualTo(SocketError.ConnectionReset));
        using var deadline = Deadline();
        Assert.That(await server.EndedConnections.ReadAsync(deadline.Token), Is.EqualTo(SocketError.ConnectionReset));
        Assert.That(await server.EndedConnections.ReadAsync(deadline.Token), Is.EqualTo(SocketError.ConnectionReset));
        await proxy.WaitUntilAsync(p => p.ActiveConnections == 0, deadline.Token);

        using var third = await ConnectAsync(proxy);
        await SendAsync(third, "again");
        Assert.That(await ReceiveTextAsync(third, 5), Is.EqualTo("again"));
        Assert.That(proxy.ConnectionsAccepted, Is.EqualTo(3));
    }

    [Test]
    public async Task RejectNewResetsNewConnectionsUntilTurnedOff()
    {
        await using var server = EchoServer.Start();
        await using var proxy = FaultProxy.Start(server.EndPoint);
        using var existing = await ConnectAsync(proxy);
        await SendAsync(existing, "one");
        Assert.That(await ReceiveTextAsync(existing, 3), Is.EqualTo("one"));

        proxy.RejectNew(true);
        Assert.That(proxy.RejectingNew, Is.True);
        Assert.That(await ConnectAndReadUntilEndAsync(proxy), Is.EqualTo(SocketError.ConnectionReset));

        using var deadline = Deadline();
        await proxy.WaitUntilAsync(p => p.ConnectionsRejected == 1, deadline.Token);
        Assert.That(proxy.ConnectionsAccepted, Is.EqualTo(1));
        Assert.That(server.ConnectionsAccepted, Is.EqualTo(1), "a rejected connection never reaches the target");

        // Existing connections are not affected.
        await SendAsync(existing, "two");
        Assert.That(await ReceiveTextAsync(existing, 3), Is.EqualTo("two"));

        proxy.RejectNew(false);
        using var accepted = await ConnectAsync(proxy);
        await SendAsync(accepted, "three");
        Assert.That(await ReceiveTextAsync(accepted, 5), Is.EqualTo("three"));
        Assert.That(proxy.ConnectionsAccepted, Is.EqualTo(2));
    }

    [Test]
    public async Task ChangingTheTargetMovesOnlyNewConnections()
    {
        await using var lower = EchoServer.Start();
        await using var upper = EchoServer.Start(xor: 0x20);
        await using var proxy = FaultProxy.Start(lower.EndPoint);
        using var old = await ConnectAsync(proxy);
        await SendAsync(old, "ping");
        Assert.That(await ReceiveTextAsync(old, 4), Is.EqualTo("ping"));

        proxy.Target = upper.EndPoint;
        Assert.That(proxy.Target, Is.EqualTo(upper.EndPoint));

        using var fresh = await ConnectAsync(proxy);
        await SendAsync(fresh, "ping");
        Assert.That(await ReceiveTextAsync(fresh, 4), Is.EqualTo("PING"), "answered by the new target");

        await SendAsync(old, "pong");
        Assert.That(await ReceiveTextAsync(old, 4), Is.EqualTo("pong"), "the old connection stays on the old target");
        Assert.That(lower.ConnectionsAccepted, Is.EqualTo(1));
        Assert.That(upper.ConnectionsAccepted, Is.EqualTo(1));
    }

    [Test]
    public async Task AnUnreachableTargetResetsTheClient()
    {
        var closedPort = GetClosedPort();
        await using var proxy = FaultProxy.Start(new IPEndPoint(IPAddress.Loopback, closedPort));

        Assert.That(await ConnectAndReadUntilEndAsync(proxy), Is.EqualTo(SocketError.ConnectionReset));
        using var deadline = Deadline();
        await proxy.WaitUntilAsync(p => p.UpstreamConnectFailures == 1, deadline.Token);
        Assert.That(proxy.ConnectionsAccepted, Is.Zero);
        Assert.That(proxy.ActiveConnections, Is.Zero);

        // The server comes back on another port: point the proxy there.
        await using var server = EchoServer.Start();
        proxy.Target = server.EndPoint;
        using var retry = await ConnectAsync(proxy);
        await SendAsync(retry, "up");
        Assert.That(await ReceiveTextAsync(retry, 2), Is.EqualTo("up"));
    }

    [Test]
    public async Task CountersTrackConnectionsAndBytes()
    {
        await using var server = EchoServer.Start();
        await using var proxy = FaultProxy.Start(server.EndPoint);
        using var deadline = Deadline();

        var firstAccepted = proxy.WaitForConnectionsAsync(1, deadline.Token);
        var secondAccepted = proxy.WaitForConnectionsAsync(2, deadline.Token);
        Assert.That(firstAccepted.IsCompleted, Is.False);

        using var first = await ConnectAsync(proxy);
        await firstAccepted;
        Assert.That(secondAccepted.IsCompleted, Is.False);
        Assert.That(proxy.ConnectionsAccepted, Is.EqualTo(1));
        Assert.That(proxy.ActiveConnections, Is.EqualTo(1));

        using var second = await ConnectAsync(proxy);
        await secondAccepted;
        Assert.That(proxy.ActiveConnections, Is.EqualTo(2));
        Assert.That(proxy.WaitForConnectionsAsync(2, deadline.Token).IsCompletedSuccessfully, Is.True, "already reached");

        await SendAsync(first, "12345");
        Assert.That(await ReceiveTextAsync(first, 5), Is.EqualTo("12345"));
        await SendAsync(second, "678");
        Assert.That(await ReceiveTextAsync(second, 3), Is.EqualTo("678"));

        // The downstream counter moves once the send to the client returned, which may be after the client read.
        await proxy.WaitUntilAsync(p => p.BytesDownstream >= 8, deadline.Token);
        Assert.That(proxy.BytesUpstream, Is.EqualTo(8));
        Assert.That(proxy.BytesDownstream, Is.EqualTo(8));
        Assert.That(proxy.BytesDropped, Is.Zero);

        using (var giveUp = new CancellationTokenSource())
        {
            var third = proxy.WaitForConnectionsAsync(3, giveUp.Token);
            await giveUp.CancelAsync();
            await Assert.ThatAsync(() => third, Throws.InstanceOf<OperationCanceledException>());
        }

        // A graceful close from the client is passed on as FIN, the server closes too, and the pair goes away.
        first.Shutdown(SocketShutdown.Send);
        Assert.That(await server.EndedConnections.ReadAsync(deadline.Token), Is.EqualTo(SocketError.Success));
        Assert.That(await ReadUntilEndAsync(first), Is.EqualTo(SocketError.Success), "FIN from the server");
        await proxy.WaitUntilAsync(p => p.ActiveConnections == 1, deadline.Token);
        Assert.That(proxy.ConnectionsAccepted, Is.EqualTo(2));
    }

    [Test]
    public async Task DisposeResetsConnectionsAndFailsPendingWaits()
    {
        await using var server = EchoServer.Start();
        var proxy = FaultProxy.Start(server.EndPoint);
        await using (proxy)
        {
            using var client = await ConnectAsync(proxy);
            await SendAsync(client, "x");
            Assert.That(await ReceiveTextAsync(client, 1), Is.EqualTo("x"));
            using var deadline = Deadline();
            var pending = proxy.WaitForConnectionsAsync(5, deadline.Token);

            await proxy.DisposeAsync();

            Assert.That(await ReadUntilEndAsync(client), Is.EqualTo(SocketError.ConnectionReset));
            Assert.That(await server.EndedConnections.ReadAsync(deadline.Token), Is.EqualTo(SocketError.ConnectionReset));
            await Assert.ThatAsync(() => pending, Throws.InstanceOf<ObjectDisposedException>());
            await Assert.ThatAsync(() => proxy.WaitForConnectionsAsync(1, deadline.Token), Throws.InstanceOf<ObjectDisposedException>());
            Assert.That(proxy.ActiveConnections, Is.Zero);

            using var late = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            await Assert.ThatAsync(
                async () => await late.ConnectAsync(proxy.EndPoint, deadline.Token),
                Throws.InstanceOf<SocketException>().With.Property(nameof(SocketException.SocketErrorCode)).EqualTo(SocketError.ConnectionRefused));
        }
    }

    [Test]
    public void StartTakesAnUpstreamUriAndBuildsProxyUris()
    {
        using var placeholder = new TcpListener(IPAddress.Loopback, 0);
        placeholder.Start();
        var port = ((IPEndPoint)placeholder.LocalEndpoint).Port;

        var proxy = FaultProxy.Start(new Uri($"ws://127.0.0.1:{port}/wsrest"));
        try
        {
            Assert.That(proxy.Target, Is.EqualTo(new IPEndPoint(IPAddress.Loopback, port)));
            Assert.That(proxy.EndPoint.Address, Is.EqualTo(IPAddress.Loopback));
            Assert.That(proxy.Port, Is.EqualTo(proxy.EndPoint.Port).And.Not.EqualTo(port));
            Assert.That(proxy.WsUri("/wsrest"), Is.EqualTo(new Uri($"ws://127.0.0.1:{proxy.Port}/wsrest")));
            Assert.That(proxy.HttpUri("hello"), Is.EqualTo(new Uri($"http://127.0.0.1:{proxy.Port}/hello")));
            Assert.That(FaultProxy.ToEndPoint(new Uri($"http://localhost:{port}/")), Is.EqualTo(new IPEndPoint(IPAddress.Loopback, port)));
            Assert.That(() => proxy.Target = new IPEndPoint(IPAddress.Parse("192.0.2.1"), port), Throws.ArgumentException);
            Assert.That(() => proxy.Delay(TimeSpan.FromMilliseconds(-1)), Throws.InstanceOf<ArgumentOutOfRangeException>());
        }
        finally
        {
            proxy.DisposeAsync().AsTask().GetAwaiter().GetResult();
        }
    }

    [Test]
    public async Task WsRestClientWorksThroughTheProxy()
    {
        await using var host = await TestHost.StartAsync(app => app.MapGet("/hello", () => Results.Text("hello through the proxy")));
        await using var proxy = FaultProxy.Start(host.WsRestEndpoint);
        using var http = await host.CreateWsRestHttpClientAsync(options => options.Endpoint = proxy.WsUri("/wsrest"));

        using var response = await http.GetAsync(new Uri("/hello", UriKind.Relative));

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(await response.Content.ReadAsStringAsync(), Is.EqualTo("hello through the proxy"));
        Assert.That(proxy.ConnectionsAccepted, Is.EqualTo(1));
        Assert.That(proxy.BytesUpstream, Is.Positive);
    }

    private static CancellationTokenSource Deadline() => new(TimeSpan.FromSeconds(10));

    private static async Task<Socket> ConnectAsync(FaultProxy proxy)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            using var deadline = Deadline();
            await socket.ConnectAsync(proxy.EndPoint, deadline.Token);
            return socket;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    private static Task SendAsync(Socket socket, string text) => SendAsync(socket, Encoding.ASCII.GetBytes(text));

    private static async Task SendAsync(Socket socket, byte[] data)
    {
        using var deadline = Deadline();
        var sent = 0;
        while (sent < data.Length)
        {
            sent += await socket.SendAsync(data.AsMemory(sent), SocketFlags.None, deadline.Token);
        }
    }

    private static async Task<byte[]> ReceiveAsync(Socket socket, int count)
    {
        using var deadline = Deadline();
        var buffer = new byte[count];
        var received = 0;
        while (received < count)
        {
            var read = await socket.ReceiveAsync(buffer.AsMemory(received), SocketFlags.None, deadline.Token);
            if (read == 0)
            {
                throw new InvalidOperationException($"The connection ended after {received} of {count} bytes.");
            }

            received += read;
        }

        return buffer;
    }

    private static async Task<string> ReceiveTextAsync(Socket socket, int count)
        => Encoding.ASCII.GetString(await ReceiveAsync(socket, count));

    /// <summary>A read cancelled after <see cref="QuietWindow"/> must be cancelled: no byte, FIN or RST arrived.</summary>
    private static async Task AssertNothingArrivesAsync(Socket socket)
    {
        using var quiet = new CancellationTokenSource(QuietWindow);
        var buffer = new byte[64];
        await Assert.ThatAsync(
            async () => await socket.ReceiveAsync(buffer, SocketFlags.None, quiet.Token),
            Throws.InstanceOf<OperationCanceledException>());
    }

    /// <summary>Reads (and discards) until the connection ends: Success for FIN, otherwise the socket error.</summary>
    private static async Task<SocketError> ReadUntilEndAsync(Socket socket)
    {
        using var deadline = Deadline();
        var buffer = new byte[1024];
        try
        {
            while (await socket.ReceiveAsync(buffer, SocketFlags.None, deadline.Token) > 0)
            {
            }

            return SocketError.Success;
        }
        catch (SocketException exception)
        {
            return exception.SocketErrorCode;
        }
    }

    /// <summary>
    /// Connects and reads until the connection ends. The kernel completes the handshake before the proxy accepts, so
    /// a reset by the proxy shows as a failed read or, if it comes first, as a failed connect.
    /// </summary>
    private static async Task<SocketError> ConnectAndReadUntilEndAsync(FaultProxy proxy)
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        using var deadline = Deadline();
        try
        {
            await socket.ConnectAsync(proxy.EndPoint, deadline.Token);
        }
        catch (SocketException exception)
        {
            return exception.SocketErrorCode;
        }

        return await ReadUntilEndAsync(socket);
    }

    private static int GetClosedPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }

    /// <summary>
    /// Echoes every byte back (XOR <c>xor</c>, so two servers can be told apart), counts what it receives and
    /// reports how each connection ended: <see cref="SocketError.Success"/> for FIN, otherwise the error.
    /// </summary>
    private sealed class EchoServer : IAsyncDisposable
    {
        private readonly TcpListener _listener;
        private readonly byte _xor;
        private readonly CancellationTokenSource _stop = new();
        private readonly Lock _gate = new();
        private readonly List<Socket> _sockets = [];
        private readonly List<Task> _connections = [];
        private readonly Channel<SocketError> _ended = Channel.CreateUnbounded<SocketError>();
        private readonly Task _acceptLoop;
        private long _bytesReceived;
        private int _connectionsAccepted;

        private EchoServer(byte xor)
        {
            _xor = xor;
            _listener = new TcpListener(IPAddress.Loopback, 0);
            _listener.Start();
            EndPoint = (IPEndPoint)_listener.LocalEndpoint;
            _acceptLoop = AcceptLoopAsync();
        }

        public IPEndPoint EndPoint { get; }

        public long BytesReceived => Interlocked.Read(ref _bytesReceived);

        public int ConnectionsAccepted => Volatile.Read(ref _connectionsAccepted);

        public ChannelReader<SocketError> EndedConnections => _ended.Reader;

        public static EchoServer Start(byte xor = 0) => new(xor);

        public async Task PushToAllAsync(byte[] data)
        {
            Socket[] sockets;
            lock (_gate)
            {
                sockets = [.. _sockets];
            }

            Assert.That(sockets, Is.Not.Empty, "no connection to push to");
            foreach (var socket in sockets)
            {
                await SendAsync(socket, data);
            }
        }

        public async ValueTask DisposeAsync()
        {
            await _stop.CancelAsync();
            _listener.Stop();
            await _acceptLoop;
            Task[] connections;
            lock (_gate)
            {
                foreach (var socket in _sockets)
                {
                    socket.Dispose();
                }

                connections = [.. _connections];
            }

            await Task.WhenAll(connections);
            _stop.Dispose();
        }

        private async Task AcceptLoopAsync()
        {
            while (true)
            {
                Socket socket;
                try
                {
                    socket = await _listener.AcceptSocketAsync(_stop.Token);
                }
                catch (Exception exception) when (_stop.IsCancellationRequested && exception is OperationCanceledException or SocketException or ObjectDisposedException or InvalidOperationException)
                {
                    // InvalidOperationException ("Not listening"): the loop came back to accept after
                    // DisposeAsync stopped the listener (seen once in a loaded full run).
                    return;
                }

                socket.NoDelay = true;
                Interlocked.Increment(ref _connectionsAccepted);
                lock (_gate)
                {
                    _sockets.Add(socket);
                    _connections.Add(EchoAsync(socket));
                }
            }
        }

        private async Task EchoAsync(Socket socket)
        {
            var buffer = new byte[8192];
            try
            {
                while (true)
                {
                    var read = await socket.ReceiveAsync(buffer, SocketFlags.None, _stop.Token);

                    if (read == 0)
                    {
                        _ended.Writer.TryWrite(SocketError.Success);
                        try
                        {
                            socket.Shutdown(SocketShutdown.Send);
                        }
                        catch (SocketException)
                        {
                            // The peer is gone already; its FIN was reported above.
                        }

                        return;
                    }

                    Interlocked.Add(ref _bytesReceived, read);
                    for (var i = 0; i < read; i++)
                    {
                        buffer[i] ^= _xor;
                    }

                    var sent = 0;
                    while (sent < read)
                    {
                        sent += await socket.SendAsync(buffer.AsMemory(sent, read - sent), SocketFlags.None, _stop.Token);
                    }
                }
            }
            catch (SocketException exception) when (!_stop.IsCancellationRequested)
            {
                _ended.Writer.TryWrite(exception.SocketErrorCode);
            }
            catch (Exception exception) when (_stop.IsCancellationRequested && exception is SocketException or OperationCanceledException or ObjectDisposedException)
            {
                // The server is being disposed.
            }
        }
    }
}
