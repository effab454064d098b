using System.Net.Http;
using System.Net.WebSockets;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using WsRest.Engine;
using WsRest.Http;
using WsRest.Protocol;

namespace WsRest.Client;

/// <summary>
/// One persistent WsRest connection to a server: it owns the WebSocket, runs the handshake and
/// multiplexes every request sent through it. Share one instance per endpoint; send requests with an
/// <see cref="HttpClient"/> over a <see cref="WebSocketMessageHandler"/>.
/// </summary>
public sealed class WsRestClient : IAsyncDisposable
{
    private readonly WsRestClientOptions _options;
    private readonly ILogger _logger;
    private readonly TimeProvider _timeProvider;
    private readonly Lock _lock = new();

    // The shared connect runs on the client's own token (cancelled by DisposeAsync), never on the
    // first caller's: one caller giving up must not fail the connection for everyone else.
    private readonly CancellationTokenSource _disposing = new();
    private Task<WsRestPeer>? _connect;
    private WsRestPeer? _peer;
    private Dictionary<string, string> _metadata;
    private volatile WsRestConnectionState _state = WsRestConnectionState.Disconnected;
    private bool _disposed;

    /// <summary>Creates a client; nothing connects until <see cref="ConnectAsync"/> or the first request.</summary>
    /// <param name="options">The endpoint, metadata, limits and timeouts.</param>
    /// <param name="loggerFactory">Where the client logs (category <c>WsRest.Client</c>); none if null.</param>
    /// <param name="timeProvider">The clock for heartbeats and reconnect delays; <see cref="TimeProvider.System"/> if null.</param>
    /// <exception cref="InvalidOperationException">The options are invalid (for example, no <see cref="WsRestClientOptions.Endpoint"/>).</exception>
    public WsRestClient(WsRestClientOptions options, ILoggerFactory? loggerFactory = null, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _options = options;
        _logger = (loggerFactory ?? NullLoggerFactory.Instance).CreateLogger("WsRest.Client");
        _timeProvider = timeProvider ?? TimeProvider.System;
        _metadata = new Dictionary<string, string>(options.Metadata, StringComparer.Ordinal);
    }

    /// <summary>The connection's state.</summary>
    public WsRestConnectionState State => _state;

    /// <summary>The id the server assigned in the handshake (32 hex digits, 128 random bits); null before the first connection.</summary>
    public string? ConnectionId { get; private set; }

    /// <summary>The metadata sent in the handshake.</summary>
    public IReadOnlyDictionary<string, string> Metadata => _metadata;

    /// <summary>The endpoint this client connects to.</summary>
    public Uri Endpoint => _options.Endpoint!;

    /// <summary>
    /// Connects and runs the handshake. Completes when the connection is ready; calling it again while
    /// connecting or connected returns the same connection.
    /// </summary>
    /// <exception cref="HttpRequestException">The server could not be reached, refused the upgrade or failed the handshake.</exception>
    public async Task ConnectAsync(CancellationToken cancellationToken = default)
        => await GetPeerAsync(cancellationToken).ConfigureAwait(false);

    /// <summary>Closes the connection. Requests still in flight fail with <see cref="HttpRequestException"/>.</summary>
    public async ValueTask DisposeAsync()
    {
        Task<WsRestPeer>? connect;
        lock (_lock)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            connect = _connect;
        }

        _state = WsRestConnectionState.Closed;
        await _disposing.CancelAsync().ConfigureAwait(false);
        if (connect is not null)
        {
            try
            {
                var peer = await connect.ConfigureAwait(false);
                await peer.DisposeAsync().ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is HttpRequestException or OperationCanceledException or ObjectDisposedException)
            {
                // The connection never came up (failed, or cancelled by this dispose): nothing to close.
            }
        }

        _disposing.Dispose();
    }

    internal async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var peer = await GetPeerAsync(cancellationToken).ConfigureAwait(false);
        return await HttpRequestSender.SendAsync(peer, request, cancellationToken).ConfigureAwait(false);
    }

    private Task<WsRestPeer> GetPeerAsync(CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_peer is { } peer)
            {
                return peer.IsClosing
                    ? Task.FromException<WsRestPeer>(peer.CreateClosedException())
                    : Task.FromResult(peer);
            }

            if (_connect is null || (_connect.IsCompleted && !_connect.IsCompletedSuccessfully))
            {
                _state = WsRestConnectionState.Connecting;
                _connect = ConnectCoreAsync(_disposing.Token);
            }

            return _connect.WaitAsync(cancellationToken);
        }
    }

    private async Task<WsRestPeer> ConnectCoreAsync(CancellationToken cancellationToken)
    {
        var socket = new ClientWebSocket();
        try
        {
            socket.Options.AddSubProtocol(WsRestProtocol.SubProtocol);
            socket.Options.KeepAliveInterval = _options.KeepAliveInterval;
            socket.Options.KeepAliveTimeout = _options.KeepAliveTimeout;
            _options.ConfigureWebSocket?.Invoke(socket.Options);

            using (var connectTimeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
            {
                connectTimeout.CancelAfter(_options.ConnectTimeout);
                await socket.ConnectAsync(_options.Endpoint!, _options.WebSocketInvoker, connectTimeout.Token).ConfigureAwait(false);
            }

            if (socket.SubProtocol != WsRestProtocol.SubProtocol)
            {
                throw new WsRestProtocolException($"The server at {_options.Endpoint} did not accept the '{WsRestProtocol.SubProtocol}' subprotocol.");
            }

            var local = new PeerSettings
            {
                // Nothing serves requests from the server yet, so announce that none are accepted.
                MaxConcurrentStreams = 0,
                InitialStreamWindow = _options.InitialStreamWindowSize,
                InitialConnectionWindow = _options.InitialConnectionWindowSize,
                MaxMessageSize = _options.MaxMessageSize,
                MaxHeaderListSize = _options.MaxHeaderListSize,
            };

            WelcomeFrame welcome;
            using (var handshakeTimeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
            {
                handshakeTimeout.CancelAfter(_options.HandshakeTimeout);
                var hello = new HelloFrame(WsRestProtocol.Version, local, [.. _metadata], PreviousConnectionId: null);
                await HandshakeChannel.SendAsync(socket, FrameType.Hello, hello.Write, handshakeTimeout.Token).ConfigureAwait(false);
                var payload = await HandshakeChannel.ReceiveAsync(socket, FrameType.Welcome, local.MaxMessageSize, handshakeTimeout.Token).ConfigureAwait(false);
                welcome = WelcomeFrame.Read(payload);
                if (welcome.Version != WsRestProtocol.Version)
                {
                    throw new WsRestProtocolException(WsRestErrorCode.UnsupportedVersion, $"The server answered with protocol version {welcome.Version}; this client speaks {WsRestProtocol.Version}.");
                }

                await HandshakeChannel.SendAsync(socket, FrameType.Ready, static _ => { }, handshakeTimeout.Token).ConfigureAwait(false);
            }

            var peer = new WsRestPeer(socket, new PeerOptions
            {
                Role = PeerRole.Client,
                Local = local,
                Remote = welcome.Settings,
                RemoteName = "server",
            });

            lock (_lock)
            {
                ObjectDisposedException.ThrowIf(_disposed, this);
                ConnectionId = Convert.ToHexStringLower(welcome.ConnectionId);
                _peer = peer;
                _state = WsRestConnectionState.Connected;
            }

            peer.Start();
            _ = peer.Completion.ContinueWith(static (_, state) => ((WsRestClient)state!)._state = WsRestConnectionState.Closed, this, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
            return peer;
        }
        catch (Exception ex)
        {
            socket.Abort();
            socket.Dispose();
            _state = WsRestConnectionState.Disconnected;
            throw ex switch
            {
                HttpRequestException => ex,
                OperationCanceledException when cancellationToken.IsCancellationRequested => new ObjectDisposedException(nameof(WsRestClient), "The client was disposed while connecting."),
                OperationCanceledException => new HttpRequestException(HttpRequestError.ConnectionError, $"Connecting to {_options.Endpoint} timed out.", ex),
                WsRestProtocolException => new HttpRequestException(HttpRequestError.ConnectionError, $"The WsRest handshake with {_options.Endpoint} failed: {ex.Message}", ex),
                _ => new HttpRequestException(HttpRequestError.ConnectionError, $"Could not connect to {_options.Endpoint}: {ex.Message}", ex),
            };
        }
    }
}
