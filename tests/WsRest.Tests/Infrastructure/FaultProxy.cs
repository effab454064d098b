using System.Buffers;
using System.Net;
using System.Net.Sockets;

namespace WsRest.Tests.Infrastructure;

/// <summary>How <see cref="FaultProxy"/> treats the bytes of every connection, current and future.</summary>
public enum FaultProxyMode
{
    /// <summary>Bytes are forwarded as they arrive.</summary>
    PassThrough,

    /// <summary>Each chunk is forwarded after <see cref="FaultProxy.CurrentDelay"/>, in both directions, in order.</summary>
    Delay,

    /// <summary>
    /// Every byte is read and dropped, in both directions; connections stay open and nothing (no data, FIN or RST)
    /// reaches either side: the "half-open" fault. A connection that lost bytes is reset on its next byte once
    /// the network heals: a TCP stream never resumes with a hole in it.
    /// </summary>
    Blackhole,
}

/// <summary>
/// A loopback TCP proxy that injects faults between a client and a server, for resilience tests.
/// </summary>
/// <remarks>
/// <para>
/// Listens on 127.0.0.1 only. Each accepted connection is paired with a new connection to <see cref="Target"/>
/// (read when the connection is accepted) and served by two pumps, one per direction.
/// </para>
/// <para>
/// Mode semantics: the mode is read for every chunk, so a change applies at once to all current and future
/// connections. In <see cref="FaultProxyMode.Blackhole"/> the chunks are read and dropped (counted in
/// <see cref="BytesDropped"/>) and are never delivered later; a FIN or RST from one side is not passed on to the
/// other either. A connection pair that lost bytes is reset (both sides) when either side sends again after the
/// network healed, as a middlebox that lost a connection's state answers its next segment with RST: what TCP
/// delivers after a loss it cannot repair is never the stream with bytes missing from its middle (a proxy that
/// resumed such a stream lost whole WebSocket messages whenever the hole fell between two of them, which no real
/// network does, and hung the requests whose frames were in it). In <see cref="FaultProxyMode.Delay"/> a pump waits the delay before forwarding each chunk it has
/// read, so the delay also limits throughput (the next chunk is read only after the previous one was forwarded);
/// a chunk whose delay ends while the mode is Blackhole is dropped.
/// </para>
/// <para>
/// Outside Blackhole a graceful end (FIN) from one side is passed on as a FIN to the other side, and a socket error
/// on either side resets both. Exceptions from dead sockets end the pumps; any other exception ends the connection
/// pair and is rethrown by <see cref="DisposeAsync"/>.
/// </para>
/// </remarks>
public sealed class FaultProxy : IAsyncDisposable
{
    private const int BufferSize = 16 * 1024;
    private static readonly TimeSpan ConnectTimeout = TimeSpan.FromSeconds(10);

    private readonly Socket _listener;
    private readonly CancellationTokenSource _disposing = new();
    private readonly Lock _gate = new();
    private readonly HashSet<Connection> _connections = [];
    private readonly List<Task> _connectionTasks = [];
    private readonly List<Waiter> _waiters = [];
    private readonly Task _acceptLoop;

    private volatile IPEndPoint _target;
    private volatile ModeState _mode = new(FaultProxyMode.PassThrough, TimeSpan.Zero);
    private volatile bool _rejectNew;
    private int _disposed;
    private long _connectionsAccepted;
    private long _connectionsRejected;
    private long _upstreamConnectFailures;
    private long _activeConnections;
    private long _bytesUpstream;
    private long _bytesDownstream;
    private long _bytesDropped;

    private FaultProxy(IPEndPoint target)
    {
        _target = target;
        _listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            _listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
            _listener.Listen(128);
        }
        catch
        {
            _listener.Dispose();
            _disposing.Dispose();
            throw;
        }

        EndPoint = (IPEndPoint)_listener.LocalEndPoint!;
        _acceptLoop = AcceptLoopAsync();
    }

    /// <summary>Where the proxy listens (127.0.0.1 and an ephemeral port).</summary>
    public IPEndPoint EndPoint { get; }

    /// <summary>The port the proxy listens on.</summary>
    public int Port => EndPoint.Port;

    /// <summary>
    /// Where new connections are forwarded; must be a loopback address. Changing it does not move existing
    /// connections, only the ones accepted afterwards (e.g. to follow a server restarted on a new port).
    /// </summary>
    public IPEndPoint Target
    {
        get => _target;
        set => _target = ValidateTarget(value);
    }

    /// <summary>The current mode.</summary>
    public FaultProxyMode Mode => _mode.Kind;

    /// <summary>The delay applied to each chunk in <see cref="FaultProxyMode.Delay"/>; zero otherwise.</summary>
    public TimeSpan CurrentDelay => _mode.Delay;

    /// <summary>Whether new connections are reset when accepted.</summary>
    public bool RejectingNew => _rejectNew;

    /// <summary>Connections accepted and connected to the target (rejected or failed ones are not counted).</summary>
    public long ConnectionsAccepted => Interlocked.Read(ref _connectionsAccepted);

    /// <summary>Connections reset at accept because of <see cref="RejectNew"/>.</summary>
    public long ConnectionsRejected => Interlocked.Read(ref _connectionsRejected);

    /// <summary>Accepted connections reset because the target could not be reached.</summary>
    public long UpstreamConnectFailures => Interlocked.Read(ref _upstreamConnectFailures);

    /// <summary>Connection pairs currently open (connected to the target and not yet closed on both sides).</summary>
    public long ActiveConnections => Interlocked.Read(ref _activeConnections);

    /// <summary>Bytes forwarded from clients to the target.</summary>
    public long BytesUpstream => Interlocked.Read(ref _bytesUpstream);

    /// <summary>Bytes forwarded from the target to clients.</summary>
    public long BytesDownstream => Interlocked.Read(ref _bytesDownstream);

    /// <summary>Bytes read and dropped (either direction) in <see cref="FaultProxyMode.Blackhole"/>.</summary>
    public long BytesDropped => Interlocked.Read(ref _bytesDropped);

    /// <summary>Starts a proxy on 127.0.0.1:0 forwarding to <paramref name="target"/> (a loopback address).</summary>
    public static FaultProxy Start(IPEndPoint target) => new(ValidateTarget(target));

    /// <summary>
    /// Starts a proxy forwarding to the host and port of <paramref name="upstream"/>
    /// (e.g. <see cref="TestHost.WsRestEndpoint"/>); the host must be a loopback address or "localhost".
    /// </summary>
    public static FaultProxy Start(Uri upstream) => Start(ToEndPoint(upstream));

    /// <summary>Converts a ws/http URI on a loopback host to the endpoint to use as <see cref="Target"/>.</summary>
    public static IPEndPoint ToEndPoint(Uri upstream)
    {
        ArgumentNullException.ThrowIfNull(upstream);
        if (!upstream.IsAbsoluteUri || upstream.Port <= 0)
        {
            throw new ArgumentException($"'{upstream}' has no port.", nameof(upstream));
        }

        var address = upstream.IsLoopback && !IPAddress.TryParse(upstream.IdnHost, out _)
            ? IPAddress.Loopback
            : IPAddress.Parse(upstream.IdnHost);
        return ValidateTarget(new IPEndPoint(address, upstream.Port));
    }

    /// <summary>A ws:// URI for <paramref name="path"/> through the proxy.</summary>
    public Uri WsUri(string path) => new($"ws://127.0.0.1:{Port}/{path.TrimStart('/')}");

    /// <summary>An http:// URI for <paramref name="path"/> through the proxy.</summary>
    public Uri HttpUri(string path) => new($"http://127.0.0.1:{Port}/{path.TrimStart('/')}");

    /// <summary>Forwards bytes as they arrive.</summary>
    public void PassThrough() => _mode = new ModeState(FaultProxyMode.PassThrough, TimeSpan.Zero);

    /// <summary>Forwards each chunk after <paramref name="delay"/>, in both directions, keeping order.</summary>
    public void Delay(TimeSpan delay)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(delay, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(delay, TimeSpan.FromMinutes(10));
        _mode = new ModeState(FaultProxyMode.Delay, delay);
    }

    /// <summary>
    /// Drops every byte in both directions while keeping the connections open (no FIN, no RST); a connection that
    /// lost bytes is reset when it carries its next byte after the network healed.
    /// </summary>
    public void Blackhole() => _mode = new ModeState(FaultProxyMode.Blackhole, TimeSpan.Zero);

    /// <summary>Resets (RST) both sides of every current connection; future connections are not affected.</summary>
    public void ResetAll()
    {
        Connection[] connections;
        lock (_gate)
        {
            connections = [.. _connections];
        }

        foreach (var connection in connections)
        {
            connection.Abort();
        }
    }

    /// <summary>While <paramref name="reject"/> is true, new connections are reset as soon as they are accepted.</summary>
    public void RejectNew(bool reject = true) => _rejectNew = reject;

    /// <summary>Completes when at least <paramref name="count"/> connections have been accepted in total.</summary>
    public Task WaitForConnectionsAsync(int count, CancellationToken cancellationToken)
        => WaitUntilAsync(proxy => proxy.ConnectionsAccepted >= count, cancellationToken);

    /// <summary>
    /// Completes when <paramref name="condition"/> holds. It is evaluated now and after every change of a counter,
    /// under a lock, so it must be cheap and only read the proxy's properties.
    /// </summary>
    public Task WaitUntilAsync(Func<FaultProxy, bool> condition, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(condition);
        if (cancellationToken.IsCancellationRequested)
        {
            return Task.FromCanceled(cancellationToken);
        }

        var waiter = new Waiter(condition);
        lock (_gate)
        {
            if (_disposed != 0)
            {
                return Task.FromException(new ObjectDisposedException(nameof(FaultProxy)));
            }

            if (waiter.TryComplete(this))
            {
                return waiter.Completion.Task;
            }

            _waiters.Add(waiter);
        }

        if (cancellationToken.CanBeCanceled)
        {
            waiter.Registration = cancellationToken.Register(() =>
            {
                lock (_gate)
                {
                    _waiters.Remove(waiter);
                }

                waiter.Completion.TrySetCanceled(cancellationToken);
            });

            if (waiter.Completion.Task.IsCompleted)
            {
                // Completed by a counter change before the registration existed.
                waiter.Registration.Dispose();
            }
        }

        return waiter.Completion.Task;
    }

    /// <summary>Closes the listener, resets (RST) every connection and waits for all pumps to end.</summary>
    public async ValueTask DisposeAsync()
    {
        Connection[] connections;
        lock (_gate)
        {
            if (_disposed != 0)
            {
                return;
            }

            // From here on the accept loop registers no connection.
            _disposed = 1;
            connections = [.. _connections];
        }

        foreach (var connection in connections)
        {
            connection.Abort();
        }

        await _disposing.CancelAsync().ConfigureAwait(false);
        _listener.Dispose();
        var failures = new List<Exception>();
        try
        {
            await _acceptLoop.ConfigureAwait(false);
        }
        catch (Exception exception)
        {
            failures.Add(exception);
        }

        Task[] tasks;
        Waiter[] waiters;
        lock (_gate)
        {
            tasks = [.. _connectionTasks];
            waiters = [.. _waiters];
            _waiters.Clear();
        }

        foreach (var task in tasks)
        {
            try
            {
                await task.ConfigureAwait(false);
            }
            catch (Exception exception)
            {
                failures.Add(exception);
            }
        }

        foreach (var waiter in waiters)
        {
            waiter.Registration.Dispose();
            waiter.Completion.TrySetException(new ObjectDisposedException(nameof(FaultProxy)));
        }

        _disposing.Dispose();
        if (failures.Count > 0)
        {
            throw new AggregateException("The fault proxy failed unexpectedly.", failures);
        }
    }

    private static IPEndPoint ValidateTarget(IPEndPoint target)
    {
        ArgumentNullException.ThrowIfNull(target);
        if (!IPAddress.IsLoopback(target.Address))
        {
            throw new ArgumentException($"The target {target} is not a loopback address.", nameof(target));
        }

        return target;
    }

    /// <summary>Closes <paramref name="socket"/> with an RST (linger on, zero timeout).</summary>
    private static void Reset(Socket? socket)
    {
        if (socket is null)
        {
            return;
        }

        try
        {
            socket.LingerState = new LingerOption(true, 0);
        }
        catch (Exception exception) when (exception is SocketException or ObjectDisposedException)
        {
            // Already dead or closed: disposing below is all that is left to do.
        }

        socket.Dispose();
    }

    private static bool IsSocketFailure(Exception exception)
        => exception is SocketException or IOException or ObjectDisposedException or OperationCanceledException;

    private async Task AcceptLoopAsync()
    {
        await Task.Yield();
        var token = _disposing.Token;
        while (!token.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await _listener.AcceptAsync(token).ConfigureAwait(false);
            }
            catch (Exception exception) when (token.IsCancellationRequested && IsSocketFailure(exception))
            {
                return;
            }
            catch (SocketException exception) when (exception.SocketErrorCode is SocketError.ConnectionReset or SocketError.ConnectionAborted)
            {
                // The client gave up before it was accepted.
                continue;
            }

            if (_rejectNew)
            {
                Reset(client);
                Interlocked.Increment(ref _connectionsRejected);
                NotifyChanged();
                continue;
            }

            var connection = new Connection(client, token);
            lock (_gate)
            {
                if (_disposed != 0)
                {
                    connection.Abort();
                    connection.Dispose();
                    return;
                }

                _connections.Add(connection);
                _connectionTasks.RemoveAll(static task => task.IsCompletedSuccessfully);
                _connectionTasks.Add(RunConnectionAsync(connection));
            }
        }
    }

    private async Task RunConnectionAsync(Connection connection)
    {
        // Run the rest off the accept loop.
        await Task.Yield();
        var established = false;
        try
        {
            var upstream = await ConnectUpstreamAsync(connection).ConfigureAwait(false);
            if (upstream is null)
            {
                return;
            }

            established = true;
            Interlocked.Increment(ref _activeConnections);
            Interlocked.Increment(ref _connectionsAccepted);
            NotifyChanged();

            var toUpstream = PumpAsync(connection, connection.Client, upstream, upstreamDirection: true);
            var toClient = PumpAsync(connection, upstream, connection.Client, upstreamDirection: false);

            // Clean up on the thread pool, never inline inside Abort() (which may have completed the last pump).
            await Task.WhenAll(toUpstream, toClient).ConfigureAwait(ConfigureAwaitOptions.ForceYielding);
        }
        finally
        {
            lock (_gate)
            {
                _connections.Remove(connection);
            }

            connection.Dispose();
            if (established)
            {
                Interlocked.Decrement(ref _activeConnections);
                NotifyChanged();
            }
        }
    }

    /// <summary>Connects to the current target; on failure resets the client and returns null.</summary>
    private async Task<Socket?> ConnectUpstreamAsync(Connection connection)
    {
        var target = _target;
        var upstream = new Socket(target.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            connection.Client.NoDelay = true;
            upstream.NoDelay = true;
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(connection.Token);
            timeout.CancelAfter(ConnectTimeout);
            await upstream.ConnectAsync(target, timeout.Token).ConfigureAwait(false);
        }
        catch (Exception exception) when (IsSocketFailure(exception))
        {
            var aborted = connection.Token.IsCancellationRequested;
            upstream.Dispose();
            connection.Abort();
            if (!aborted)
            {
                Interlocked.Increment(ref _upstreamConnectFailures);
                NotifyChanged();
            }

            return null;
        }

        if (!connection.SetUpstream(upstream))
        {
            // Aborted (ResetAll or dispose) while connecting.
            return null;
        }

        return upstream;
    }

    private async Task PumpAsync(Connection connection, Socket source, Socket destination, bool upstreamDirection)
    {
        var token = connection.Token;
        var buffer = ArrayPool<byte>.Shared.Rent(BufferSize);
        var gracefulEnd = false;
        try
        {
            while (true)
            {
                var count = await source.ReceiveAsync(buffer.AsMemory(), SocketFlags.None, token).ConfigureAwait(false);
                if (count == 0)
                {
                    gracefulEnd = true;
                    return;
                }

                var mode = _mode;
                if (mode.Kind == FaultProxyMode.Delay && mode.Delay > TimeSpan.Zero)
                {
                    await Task.Delay(mode.Delay, token).ConfigureAwait(false);
                    mode = _mode;
                }

                if (mode.Kind == FaultProxyMode.Blackhole)
                {
                    connection.LostBytes = true;
                    Interlocked.Add(ref _bytesDropped, count);
                    NotifyChanged();
                    continue;
                }

                if (connection.LostBytes)
                {
                    // The network healed, but this stream has a hole: its next segment is answered with RST.
                    connection.Abort();
                    return;
                }

                var sent = 0;
                while (sent < count)
                {
                    sent += await destination.SendAsync(buffer.AsMemory(sent, count - sent), SocketFlags.None, token).ConfigureAwait(false);
                }

                Interlocked.Add(ref upstreamDirection ? ref _bytesUpstream : ref _bytesDownstream, count);
                NotifyChanged();
            }
        }
        catch (Exception exception) when (IsSocketFailure(exception))
        {
            // A dead or reset socket, or the pair was aborted: this direction is over.
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
            EndDirection(connection, destination, gracefulEnd);
        }
    }

    /// <summary>Passes the end of one direction on to the other side, unless the network is "down".</summary>
    private void EndDirection(Connection connection, Socket destination, bool gracefulEnd)
    {
        if (connection.Token.IsCancellationRequested || _mode.Kind == FaultProxyMode.Blackhole)
        {
            // Aborted already, or a blackhole: neither FIN nor RST gets through.
            return;
        }

        if (!gracefulEnd)
        {
            connection.Abort();
            return;
        }

        try
        {
            destination.Shutdown(SocketShutdown.Send);
        }
        catch (Exception exception) when (exception is SocketException or ObjectDisposedException)
        {
            connection.Abort();
        }
    }

    private void NotifyChanged()
    {
        lock (_gate)
        {
            for (var i = _waiters.Count - 1; i >= 0; i--)
            {
                var waiter = _waiters[i];
                if (waiter.TryComplete(this))
                {
                    _waiters.RemoveAt(i);
                    waiter.Registration.Dispose();
                }
            }
        }
    }

    private sealed record ModeState(FaultProxyMode Kind, TimeSpan Delay);

    private sealed class Waiter(Func<FaultProxy, bool> condition)
    {
        public TaskCompletionSource Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public CancellationTokenRegistration Registration { get; set; }

        public bool TryComplete(FaultProxy proxy)
        {
            try
            {
                if (!condition(proxy))
                {
                    return false;
                }

                Completion.TrySetResult();
            }
            catch (Exception exception)
            {
                // A throwing condition fails its own wait, not the pump that evaluated it.
                Completion.TrySetException(exception);
            }

            return true;
        }
    }

    /// <summary>One client connection and its upstream connection.</summary>
    private sealed class Connection : IDisposable
    {
        private readonly Lock _lock = new();
        private readonly CancellationTokenSource _aborted;
        private Socket? _upstream;
        private bool _abortRequested;
        private bool _disposed;
        private bool _lostBytes;

        public Connection(Socket client, CancellationToken disposing)
        {
            Client = client;
            _aborted = CancellationTokenSource.CreateLinkedTokenSource(disposing);
            Token = _aborted.Token;
        }

        public Socket Client { get; }

        /// <summary>Set once a blackhole dropped any of this pair's bytes; the pair cannot carry a stream any more.</summary>
        public bool LostBytes
        {
            get => Volatile.Read(ref _lostBytes);
            set => Volatile.Write(ref _lostBytes, value);
        }

        /// <summary>Cancelled when the pair is aborted or the proxy is disposed.</summary>
        public CancellationToken Token { get; }

        public bool SetUpstream(Socket upstream)
        {
            lock (_lock)
            {
                if (!_abortRequested && !_disposed)
                {
                    _upstream = upstream;
                    return true;
                }
            }

            Reset(upstream);
            return false;
        }

        /// <summary>Resets both sides and stops both pumps. Idempotent.</summary>
        public void Abort()
        {
            lock (_lock)
            {
                if (_abortRequested || _disposed)
                {
                    return;
                }

                _abortRequested = true;
                _aborted.Cancel();
                Reset(Client);
                Reset(_upstream);
            }
        }

        /// <summary>
        /// Closes both sockets once both pumps have ended: gracefully after a normal end, with an RST if the pair
        /// was aborted or the proxy is being disposed.
        /// </summary>
        public void Dispose()
        {
            lock (_lock)
            {
                if (_disposed)
                {
                    return;
                }

                _disposed = true;
                if (Token.IsCancellationRequested)
                {
                    Reset(Client);
                    Reset(_upstream);
                }
                else
                {
                    Client.Dispose();
                    _upstream?.Dispose();
                }

                _aborted.Dispose();
            }
        }
    }
}
