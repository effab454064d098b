using System.Net;
using System.Net.WebSockets;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Logging;
using WsRest.Engine;
using WsRest.Protocol;
using WsRest.Server.Dispatch;
using WsRest.Server.PubSub;

namespace WsRest.Server.Connections;

/// <summary>
/// One connection from its completed handshake to its teardown: its peer (dispatching into the app),
/// its <see cref="WsRestConnection"/> in the registry, its pub/sub endpoint, the close when the
/// upgrade's credentials expire, and the removal and log line when the peer ends.
/// </summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Reliability", "CA1001", Justification = "The peer releases its socket itself when it completes, which RunAsync awaits.")]
internal sealed class ConnectionSession
{
    private readonly HttpContext _upgrade;
    private readonly WsRestServerOptions _options;
    private readonly WsRestConnectionRegistry _registry;
    private readonly ILogger _logger;
    private readonly WsRestPeer _peer;
    private readonly ServerPubSubEndpoint? _pubSub;
    private readonly AdmittedUpgrade _admission;

    public ConnectionSession(HttpContext upgrade, AdmittedUpgrade admission, WebSocket socket, string connectionId, HelloFrame hello, PeerSettings local, ConnectionServices services)
    {
        _upgrade = upgrade;
        _admission = admission;
        _options = services.Options;
        _registry = services.Registry;
        _logger = services.Logger;
        var connection = upgrade.Connection;
        var dispatch = new DispatchConnectionContext
        {
            ConnectionId = connectionId,
            Scheme = upgrade.Request.Scheme,
            Host = upgrade.Request.Host.Value ?? "localhost",
            User = upgrade.User,
            RemoteIpAddress = connection.RemoteIpAddress,
            RemotePort = connection.RemotePort,
            LocalIpAddress = connection.LocalIpAddress,
            LocalPort = connection.LocalPort,
            Tls = upgrade.Features.Get<ITlsConnectionFeature>(),
            TlsHandshake = upgrade.Features.Get<Microsoft.AspNetCore.Connections.Features.ITlsHandshakeFeature>(),
            TlsApplicationProtocol = upgrade.Features.Get<Microsoft.AspNetCore.Server.Kestrel.Core.Features.ITlsApplicationProtocolFeature>(),
            MaxRequestBodySize = _options.MaxRequestBodySize,
            AllowHostHeaderOverride = _options.AllowHostHeaderOverride,
            MaxRequestLineSize = services.KestrelLimits.MaxRequestLineSize,
            MaxRequestHeadersTotalSize = services.KestrelLimits.MaxRequestHeadersTotalSize,
            MaxRequestHeaderCount = services.KestrelLimits.MaxRequestHeaderCount,
            MinRequestBodyDataRate = services.KestrelLimits.MinRequestBodyDataRate,
            MinResponseDataRate = services.KestrelLimits.MinResponseDataRate,
            TimeProvider = _options.TimeProvider,
            DateHeader = DateHeaderCache.For(_options.TimeProvider),
            ResponseHeaderEncodingSelector = services.ResponseHeaderEncodingSelector,
        };

        _pubSub = _options.PubSub.Enabled ? new ServerPubSubEndpoint(services.EventBus, _options.PubSub, _logger, services.Metrics) : null;
        _peer = new WsRestPeer(socket, new PeerOptions
        {
            Role = PeerRole.Server,
            Extensions = _pubSub is null ? [] : [_pubSub],
            Local = local,
            Remote = hello.Settings,
            Handler = new RequestDispatcher(admission.Application, dispatch),
            RemoteName = $"client {connectionId}",
            TimeProvider = _options.TimeProvider,
            HeartbeatInterval = _options.KeepAliveInterval,
            HeartbeatTimeout = _options.KeepAliveTimeout,
            SendTimeout = _options.SendTimeout,
            MaxHeaderCount = _options.MaxRequestHeaderCount,
            AnswerOversizeRequests = true,
            Metrics = services.Metrics,
        });

        // HELLO may repeat a key; the last value wins. Most clients send none: they share one empty
        // dictionary instead of holding their own for the connection's life.
        IReadOnlyDictionary<string, string> metadata = System.Collections.ObjectModel.ReadOnlyDictionary<string, string>.Empty;
        if (hello.Metadata.Count > 0)
        {
            var pairs = new Dictionary<string, string>(hello.Metadata.Count, StringComparer.Ordinal);
            foreach (var (key, value) in hello.Metadata)
            {
                pairs[key] = value;
            }

            metadata = pairs;
        }
        Connection = new WsRestConnection(
            connectionId,
            metadata,
            upgrade.User,
            ToEndPoint(connection.RemoteIpAddress, connection.RemotePort),
            ToEndPoint(connection.LocalIpAddress, connection.LocalPort),
            _options.TimeProvider.GetUtcNow(),
            _peer,
            _options.ShutdownTimeout)
        {
            PreviousConnectionId = hello.PreviousConnectionId is { } previous ? Convert.ToHexStringLower(previous) : null,
            Registry = _registry,
        };
        dispatch.Connection = Connection;
    }

    public WsRestConnection Connection { get; }

    /// <summary>Runs the connection until its peer (and pub/sub) ended, then takes it out of the limits and the registry.</summary>
    public async Task RunAsync()
    {
        using (_upgrade.RequestAborted.UnsafeRegister(static state => ((WsRestPeer)state!).Abort(new WebSocketException(WebSocketError.ConnectionClosedPrematurely, "The client's connection was lost.")), _peer))
        {
            // Listed before the engine starts, so no request is served by a connection the registry does
            // not list yet; announced after, so whoever reacts to Connected finds a running engine.
            _registry.List(Connection);
            _pubSub?.Start(_peer, Connection);
            _peer.Start();
            _registry.Announce(Connection);
            if (_logger.IsEnabled(LogLevel.Information))
            {
                // Checked here: the endpoint's text would otherwise be made for every connection, logged or not.
                Log.ConnectionOpened(_logger, Connection.Id, Connection.RemoteEndPoint?.ToString());
            }
            await using var expiry = ScheduleCredentialExpiry();
            await _peer.Completion.ConfigureAwait(false);
            if (_pubSub is not null)
            {
                await _pubSub.Completion.ConfigureAwait(false);
            }
        }

        var reason = _peer.CloseReason;
        // Before the Closed event: whoever reacts to it (a client reconnecting) finds the place free again.
        _admission.Dispose();
        _registry.Remove(Connection, reason);
        if (reason is null)
        {
            Log.ConnectionClosed(_logger, Connection.Id);
        }
        else
        {
            Log.ConnectionFailed(_logger, Connection.Id, reason);
        }
    }

    /// <summary>
    /// The upgrade's credentials carry an expiry (e.g. a JWT's exp): at that moment the connection gets
    /// GOAWAY, so requests already running finish but none starts on an expired identity.
    /// </summary>
    private ITimer? ScheduleCredentialExpiry()
    {
        if (!_options.CloseOnCredentialExpiry
            || _upgrade.Features.Get<Microsoft.AspNetCore.Authentication.IAuthenticateResultFeature>()?.AuthenticateResult?.Properties?.ExpiresUtc is not { } expires)
        {
            return null;
        }

        var timeProvider = _options.TimeProvider;
        var due = expires - timeProvider.GetUtcNow();
        return timeProvider.CreateTimer(
            static state =>
            {
                var session = (ConnectionSession)state!;
                Log.CredentialsExpired(session._logger, session.Connection.Id);
                _ = session._peer.GoAwayAsync("the credentials of this connection expired", session.Connection.ShutdownTimeout);
            },
            this,
            due < TimeSpan.Zero ? TimeSpan.Zero : due,
            Timeout.InfiniteTimeSpan);
    }

    private static IPEndPoint? ToEndPoint(IPAddress? address, int port) => address is null ? null : new IPEndPoint(address, port);
}
