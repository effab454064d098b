using System.Net;
using System.Net.WebSockets;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using WsRest.Engine;
using WsRest.Protocol;
using WsRest.Server.PubSub;

namespace WsRest.Server.Connections;

/// <summary>
/// The endpoint behind <c>MapWsRest</c>, in three steps: admission (<see cref="ConnectionAdmission"/>),
/// the WebSocket upgrade and the HELLO/WELCOME/READY handshake under the server's deadline
/// (<see cref="Handshake"/>, docs/protocol.md §4), then the connection's lifetime (<see cref="ConnectionSession"/>).
/// </summary>
internal sealed class WsRestConnectionHandler
{
    private readonly WsRestServerOptions _options;
    private readonly ConnectionAdmission _admission;
    private readonly ConnectionServices _services;
    private readonly ILogger _logger;

    public WsRestConnectionHandler(IOptions<WsRestServerOptions> options, ConnectionAdmission admission, WsRestConnectionRegistry registry, ILoggerFactory loggerFactory, IWsRestEventBus bus, IOptions<Microsoft.AspNetCore.Server.Kestrel.Core.KestrelServerOptions> kestrel, System.Diagnostics.Metrics.IMeterFactory? meterFactory = null)
    {
        _options = options.Value;
        _admission = admission;
        _logger = loggerFactory.CreateLogger("WsRest.Server");
        // Kestrel's limits protect an app whatever the transport: tunneled requests get the same ones.
        // Metrics come from the container's IMeterFactory, as ASP.NET Core's own do (docs/observability.md).
        _services = new ConnectionServices(_options, registry, bus, _logger, kestrel.Value.Limits, WsRest.Diagnostics.WsRestMetrics.For(meterFactory), kestrel.Value.ResponseHeaderEncodingSelector);
    }

    public async Task HandleAsync(HttpContext context)
    {
        using var admitted = await _admission.AdmitAsync(context).ConfigureAwait(false);
        if (admitted is null)
        {
            return;
        }

        var socket = await context.WebSockets.AcceptWebSocketAsync(new WebSocketAcceptContext
        {
            SubProtocol = admitted.SubProtocol,
            KeepAliveInterval = _options.KeepAliveInterval,
            KeepAliveTimeout = _options.KeepAliveTimeout,
            // Negotiated only if the client offered permessage-deflate too (ASP.NET Core answers the
            // offer); MaxMessageSize still bounds what the read loop inflates (WsRestPeer.Reader).
            DangerousEnableCompression = _options.Compression.Enabled,
            DisableServerContextTakeover = !_options.Compression.ServerContextTakeover,
            ServerMaxWindowBits = _options.Compression.ServerMaxWindowBits,
        }).ConfigureAwait(false);

        var local = CreateLocalSettings();
        var connectionId = RandomNumberGenerator.GetBytes(HelloFrame.ConnectionIdLength);
        if (await HandshakeAsync(context, socket, local, connectionId).ConfigureAwait(false) is not { } hello)
        {
            return;
        }

        var session = new ConnectionSession(context, admitted, socket, Convert.ToHexStringLower(connectionId), hello, local, _services);
        await session.RunAsync().ConfigureAwait(false);
    }

    /// <summary>The client's HELLO once READY arrived in time; null (logged, rejected, socket disposed) if the handshake failed.</summary>
    private async Task<HelloFrame?> HandshakeAsync(HttpContext context, WebSocket socket, PeerSettings local, byte[] connectionId)
    {
        var deadline = new HandshakeDeadline(socket, _options.HandshakeTimeout, _options.TimeProvider);
        HelloFrame? hello = null;
        WsRestProtocolException? error = null;
        try
        {
            hello = await Handshake.AcceptAsync(deadline, local, connectionId, _options.MaxMetadataSize, credential => Json.HelloCredentialAuthenticator.AuthenticateAsync(context, credential), context.RequestAborted).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is WsRestProtocolException or OperationCanceledException or WebSocketException)
        {
            error = ex as WsRestProtocolException
                ?? new WsRestProtocolException(WsRestErrorCode.ProtocolError, $"The connection ended during the handshake: {ex.Message}");
        }
        finally
        {
            // Waits for a rejection the deadline's timer may be sending; after this nothing else writes.
            await deadline.DisposeAsync().ConfigureAwait(false);
        }

        if (error is null)
        {
            return hello;
        }

        var remote = context.Connection.RemoteIpAddress is { } address ? new IPEndPoint(address, context.Connection.RemotePort).ToString() : null;
        if (deadline.TimedOut)
        {
            // The timer has already sent ERROR(HandshakeTimeout) and the close.
            Log.HandshakeFailed(_logger, remote, deadline.TimeoutError.Message);
        }
        else
        {
            Log.HandshakeFailed(_logger, remote, error.Message);
            await HandshakeChannel.RejectAsync(socket, error, TimeSpan.FromSeconds(2)).ConfigureAwait(false);
        }

        socket.Dispose();
        return null;
    }

    private PeerSettings CreateLocalSettings() => new()
    {
        MaxConcurrentStreams = _options.MaxConcurrentStreams,
        InitialStreamWindow = _options.InitialStreamWindowSize,
        InitialConnectionWindow = _options.InitialConnectionWindowSize,
        MaxMessageSize = _options.MaxMessageSize,
        MaxHeaderListSize = _options.MaxHeaderListSize,
        HeartbeatIntervalMs = (int)_options.KeepAliveInterval.TotalMilliseconds,
        PubSub = _options.PubSub.Enabled ? PubSubFrames.PubSubWithEpochs : 0,
    };
}
