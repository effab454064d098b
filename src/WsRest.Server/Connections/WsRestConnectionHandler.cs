using System.Net;
using System.Net.WebSockets;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using WsRest.Engine;
using WsRest.Protocol;
using WsRest.Server.Dispatch;
using WsRest.Server.Hosting;
using WsRest.Server.PubSub;

namespace WsRest.Server.Connections;

/// <summary>
/// The endpoint behind <c>MapWsRest</c>: accepts the upgrade, runs the HELLO/WELCOME/READY handshake
/// (docs/protocol.md §4), registers the connection and runs its peer until it ends.
/// </summary>
internal sealed class WsRestConnectionHandler
{
    private readonly WsRestServerOptions _options;
    private readonly WsRestConnectionRegistry _registry;
    private readonly ApplicationPipelineHolder _holder;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger _logger;
    private readonly IWsRestEventBus _bus;

    public WsRestConnectionHandler(IOptions<WsRestServerOptions> options, WsRestConnectionRegistry registry, ApplicationPipelineHolder holder, ILoggerFactory loggerFactory, IWsRestEventBus bus)
    {
        _bus = bus;
        _options = options.Value;
        _registry = registry;
        _holder = holder;
        _timeProvider = _options.TimeProvider;
        _logger = loggerFactory.CreateLogger("WsRest.Server");
    }

    public async Task HandleAsync(HttpContext context)
    {
        if (!context.WebSockets.IsWebSocketRequest)
        {
            await RejectAsync(context, StatusCodes.Status400BadRequest, "This is a WsRest endpoint: connect with a WebSocket upgrade and the 'wsrest.v1' subprotocol.").ConfigureAwait(false);
            return;
        }

        if (Json.SubProtocolSelector.Select(context.WebSockets.WebSocketRequestedProtocols, _options.EnableJsonSubProtocol) is not { } subProtocol)
        {
            var accepted = _options.EnableJsonSubProtocol ? $"'{WsRestProtocol.SubProtocol}' or '{WsRestProtocol.JsonSubProtocol}'" : $"'{WsRestProtocol.SubProtocol}'";
            await RejectAsync(context, StatusCodes.Status400BadRequest, $"The WebSocket upgrade must request the {accepted} subprotocol.").ConfigureAwait(false);
            return;
        }

        if (context.Request.Headers.Origin is { Count: > 0 } origin && !IsOriginAllowed(origin.ToString(), context.Request))
        {
            // Cross-site WebSocket hijacking: a page on another site must not ride the user's cookies.
            await RejectAsync(context, StatusCodes.Status403Forbidden, $"The origin '{origin}' may not open a WsRest connection (WsRestServerOptions.AllowedOrigins).").ConfigureAwait(false);
            return;
        }

        if (_options.MaxConnections is { } maxConnections && _registry.Count >= maxConnections)
        {
            context.Response.Headers.RetryAfter = "5";
            await RejectAsync(context, StatusCodes.Status503ServiceUnavailable, $"The server holds its maximum of {maxConnections} WsRest connections.").ConfigureAwait(false);
            return;
        }

        if (_options.MaxConnectionsPerUser is { } perUser && context.User.Identity is { IsAuthenticated: true, Name: { } userName }
            && _registry.Connections.Count(c => c.User.Identity?.Name == userName) >= perUser)
        {
            await RejectAsync(context, StatusCodes.Status429TooManyRequests, $"This user already holds the maximum of {perUser} WsRest connections.").ConfigureAwait(false);
            return;
        }

        if (_registry.IsShuttingDown)
        {
            // A client reconnecting after our GOAWAY must not land on this server again while it stops.
            context.Response.Headers.RetryAfter = "1";
            await RejectAsync(context, StatusCodes.Status503ServiceUnavailable, "The server is shutting down.").ConfigureAwait(false);
            return;
        }

        if (_holder.Application is not { } application)
        {
            Log.PipelineNotCaptured(_logger);
            await RejectAsync(context, StatusCodes.Status500InternalServerError, "WsRest is not wired to the application pipeline; see the server log.").ConfigureAwait(false);
            return;
        }

        var socket = await context.WebSockets.AcceptWebSocketAsync(new WebSocketAcceptContext
        {
            SubProtocol = subProtocol,
            KeepAliveInterval = _options.KeepAliveInterval,
            KeepAliveTimeout = _options.KeepAliveTimeout,
            // Negotiated only if the client offered permessage-deflate too (ASP.NET Core answers the
            // offer); MaxMessageSize still bounds what the read loop inflates (WsRestPeer.Reader).
            DangerousEnableCompression = _options.Compression.Enabled,
            DisableServerContextTakeover = !_options.Compression.ServerContextTakeover,
            ServerMaxWindowBits = _options.Compression.ServerMaxWindowBits,
        }).ConfigureAwait(false);

        var remote = FormatEndPoint(context.Connection.RemoteIpAddress, context.Connection.RemotePort);
        var local = CreateLocalSettings();
        var connectionId = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(HelloFrame.ConnectionIdLength));
        HelloFrame hello;
        var handshake = new HandshakeState(socket, _options.HandshakeTimeout, _timeProvider);
        try
        {
            hello = await HandshakeAsync(handshake, local, connectionId, context).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is WsRestProtocolException or OperationCanceledException or WebSocketException)
        {
            if (handshake.TimedOut)
            {
                Log.HandshakeFailed(_logger, remote, handshake.TimeoutError.Message);
            }
            else
            {
                var error = ex as WsRestProtocolException
                    ?? new WsRestProtocolException(WsRestErrorCode.ProtocolError, $"The connection ended during the handshake: {ex.Message}");
                Log.HandshakeFailed(_logger, remote, error.Message);
                await HandshakeChannel.RejectAsync(socket, error, TimeSpan.FromSeconds(2)).ConfigureAwait(false);
            }

            await handshake.DisposeAsync().ConfigureAwait(false);
            socket.Dispose();
            return;
        }

        await handshake.DisposeAsync().ConfigureAwait(false);

        var connectionContext = new DispatchConnectionContext
        {
            ConnectionId = connectionId,
            Scheme = context.Request.Scheme,
            Host = context.Request.Host.Value ?? "localhost",
            User = context.User,
            RemoteIpAddress = context.Connection.RemoteIpAddress,
            RemotePort = context.Connection.RemotePort,
            LocalIpAddress = context.Connection.LocalIpAddress,
            LocalPort = context.Connection.LocalPort,
            Tls = context.Features.Get<ITlsConnectionFeature>(),
            TlsHandshake = context.Features.Get<Microsoft.AspNetCore.Connections.Features.ITlsHandshakeFeature>(),
            TlsApplicationProtocol = context.Features.Get<Microsoft.AspNetCore.Server.Kestrel.Core.Features.ITlsApplicationProtocolFeature>(),
            MaxRequestBodySize = _options.MaxRequestBodySize,
        };

        var pubSub = _options.PubSub.Enabled ? new ServerPubSubEndpoint(_bus, _options.PubSub, _logger) : null;
        var peer = new WsRestPeer(socket, new PeerOptions
        {
            Role = PeerRole.Server,
            PubSub = pubSub,
            Local = local,
            Remote = hello.Settings,
            Handler = new RequestDispatcher(application, connectionContext),
            RemoteName = $"client {connectionId}",
            TimeProvider = _timeProvider,
            HeartbeatInterval = _options.KeepAliveInterval,
            HeartbeatTimeout = _options.KeepAliveTimeout,
            SendTimeout = _options.SendTimeout,
            MaxHeaderCount = _options.MaxRequestHeaderCount,
        });

        var metadata = hello.Metadata
            .GroupBy(pair => pair.Key, StringComparer.Ordinal)
            .ToDictionary(group => group.Key, group => group.Last().Value, StringComparer.Ordinal);
        var connection = new WsRestConnection(
            connectionId,
            metadata,
            context.User,
            ToEndPoint(context.Connection.RemoteIpAddress, context.Connection.RemotePort),
            ToEndPoint(context.Connection.LocalIpAddress, context.Connection.LocalPort),
            _timeProvider.GetUtcNow(),
            peer,
            _options.ShutdownTimeout)
        {
            PreviousConnectionId = hello.PreviousConnectionId is { } previous ? Convert.ToHexStringLower(previous) : null,
            Registry = _registry,
        };
        connectionContext.Connection = connection;

        using (context.RequestAborted.UnsafeRegister(static state => ((WsRestPeer)state!).Abort(new WebSocketException(WebSocketError.ConnectionClosedPrematurely, "The client's connection was lost.")), peer))
        {
            // Started before it is announced: whoever reacts to Connected finds a running engine.
            pubSub?.Start(peer, connection);
            peer.Start();
            _registry.Add(connection);
            Log.ConnectionOpened(_logger, connectionId, remote);
            await using var expiry = ScheduleCredentialExpiry(context, connection);
            await peer.Completion.ConfigureAwait(false);
            if (pubSub is not null)
            {
                await pubSub.Completion.ConfigureAwait(false);
            }
        }

        var reason = peer.CloseReason;
        _registry.Remove(connection, reason);
        if (reason is null)
        {
            Log.ConnectionClosed(_logger, connectionId);
        }
        else
        {
            Log.ConnectionFailed(_logger, connectionId, reason);
        }
    }

    private async Task<HelloFrame> HandshakeAsync(HandshakeState handshake, PeerSettings local, string connectionId, HttpContext context)
    {
        var aborted = context.RequestAborted;
        var socket = handshake.Socket;
        var (payload, credential) = await HandshakeChannel.ReceiveWithCredentialAsync(socket, FrameType.Hello, local.MaxMessageSize, handshake.CreateReceiveToken(aborted)).ConfigureAwait(false);
        var hello = HelloFrame.Read(payload, _options.MaxMetadataSize);
        if (hello.Version != WsRestProtocol.Version)
        {
            throw new WsRestProtocolException(WsRestErrorCode.UnsupportedVersion, $"Protocol version {hello.Version} is not supported; this server speaks {WsRestProtocol.Version}.");
        }

        if (credential is not null)
        {
            await Json.HelloCredentialAuthenticator.AuthenticateAsync(context, credential).ConfigureAwait(false);
        }

        var welcome = new WelcomeFrame(WsRestProtocol.Version, Convert.FromHexString(connectionId), local);
        await handshake.SendAsync(FrameType.Welcome, welcome.Write, aborted).ConfigureAwait(false);
        var ready = await HandshakeChannel.ReceiveAsync(socket, FrameType.Ready, local.MaxMessageSize, handshake.CreateReceiveToken(aborted)).ConfigureAwait(false);
        if (ready.Length != 0)
        {
            throw new WsRestProtocolException("Malformed frame: READY carries no payload.");
        }

        if (!handshake.TryComplete())
        {
            throw handshake.TimeoutError;
        }

        return hello;
    }

    /// <summary>
    /// The upgrade's credentials carry an expiry (e.g. a JWT's exp): at that moment the connection gets
    /// GOAWAY, so requests already running finish but none starts on an expired identity.
    /// </summary>
    private ITimer? ScheduleCredentialExpiry(HttpContext context, WsRestConnection connection)
    {
        if (!_options.CloseOnCredentialExpiry
            || context.Features.Get<Microsoft.AspNetCore.Authentication.IAuthenticateResultFeature>()?.AuthenticateResult?.Properties?.ExpiresUtc is not { } expires)
        {
            return null;
        }

        var due = expires - _timeProvider.GetUtcNow();
        return _timeProvider.CreateTimer(
            static state =>
            {
                var (handler, connection) = ((WsRestConnectionHandler, WsRestConnection))state!;
                Log.CredentialsExpired(handler._logger, connection.Id);
                _ = connection.Peer.GoAwayAsync("the credentials of this connection expired", connection.ShutdownTimeout);
            },
            (this, connection),
            due < TimeSpan.Zero ? TimeSpan.Zero : due,
            Timeout.InfiniteTimeSpan);
    }

    private bool IsOriginAllowed(string origin, HttpRequest request)
    {
        if (_options.AllowedOrigins.Count > 0)
        {
            return _options.AllowedOrigins.Any(allowed => allowed == "*" || string.Equals(allowed.TrimEnd('/'), origin.TrimEnd('/'), StringComparison.OrdinalIgnoreCase));
        }

        // Default: same origin only (scheme, host and port of this request).
        return Uri.TryCreate(origin, UriKind.Absolute, out var uri)
            && string.Equals(uri.Scheme, request.Scheme, StringComparison.OrdinalIgnoreCase)
            && string.Equals(uri.Authority, request.Host.Value, StringComparison.OrdinalIgnoreCase);
    }

    private PeerSettings CreateLocalSettings() => new()
    {
        MaxConcurrentStreams = _options.MaxConcurrentStreams,
        InitialStreamWindow = _options.InitialStreamWindowSize,
        InitialConnectionWindow = _options.InitialConnectionWindowSize,
        MaxMessageSize = _options.MaxMessageSize,
        MaxHeaderListSize = _options.MaxHeaderListSize,
        HeartbeatIntervalMs = (int)_options.KeepAliveInterval.TotalMilliseconds,
        PubSub = _options.PubSub.Enabled ? 1 : 0,
    };

    private async Task RejectAsync(HttpContext context, int status, string reason)
    {
        Log.UpgradeRejected(_logger, reason);
        context.Response.StatusCode = status;
        context.Response.ContentType = "text/plain; charset=utf-8";
        await context.Response.WriteAsync(reason, context.RequestAborted).ConfigureAwait(false);
    }

    private static IPEndPoint? ToEndPoint(IPAddress? address, int port) => address is null ? null : new IPEndPoint(address, port);

    private static string? FormatEndPoint(IPAddress? address, int port) => ToEndPoint(address, port)?.ToString();
}
