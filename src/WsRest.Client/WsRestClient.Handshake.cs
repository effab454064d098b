using System.Net;
using System.Net.Http;
using System.Net.WebSockets;
using WsRest.Engine;
using WsRest.Http;
using WsRest.Protocol;

namespace WsRest.Client;

public sealed partial class WsRestClient
{
    private IWsRestStreamHandler? CreateStreamHandler()
    {
        if (_options.StreamHandlerFactory is { } factory)
        {
            return factory(this);
        }

        return (_options.RequestHandler ?? EndpointsHandler) is { } handler
            ? new HttpMessageInvokerStreamHandler(new HttpMessageInvoker(handler, disposeHandler: false), ex => ClientLog.RequestHandlerFailed(_logger, ex))
            : null;
    }

    /// <summary>The default transport: a <see cref="ClientWebSocket"/> set up from the options, connected.</summary>
    private async Task<WebSocket> ConnectClientWebSocketAsync(string subProtocol, CancellationToken cancellationToken)
    {
        var socket = new ClientWebSocket();
        try
        {
            socket.Options.AddSubProtocol(subProtocol);
            socket.Options.KeepAliveInterval = _options.KeepAliveInterval;
            socket.Options.KeepAliveTimeout = _options.KeepAliveTimeout;
            // Before ConfigureWebSocket, so a caller adjusting the socket directly still has the last word.
            socket.Options.DangerousDeflateOptions = _options.DeflateOptions;

            // Keeps the status and headers of a refused upgrade: a 401 must not read as "connection
            // refused", nor a redirect as "could not connect" (issue 18).
            socket.Options.CollectHttpResponseDetails = true;
            _options.ConfigureWebSocket?.Invoke(socket.Options);
            await socket.ConnectAsync(_options.Endpoint!, _options.WebSocketInvoker ?? UpgradeInvoker.For(socket.Options), cancellationToken).ConfigureAwait(false);
            return socket;
        }
        catch (WebSocketException upgrade) when (socket.HttpStatusCode is not 0 and not HttpStatusCode.SwitchingProtocols)
        {
            var refusedWith = socket.HttpStatusCode;
            var location = ConnectErrors.LocationOf(socket.HttpResponseHeaders);
            socket.Dispose();
            throw ConnectErrors.UpgradeRefused(_options.Endpoint!, refusedWith, location, upgrade);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>One connection attempt: WebSocket upgrade, HELLO → WELCOME → READY. The peer is returned unstarted.</summary>
    private async Task<WsRestPeer> ConnectOnceAsync(string? previousConnectionId, CancellationToken cancellationToken)
    {
        WebSocket? socket = null;
        try
        {
            var subProtocol = _options.Encoding == WsRestEncoding.Json ? WsRestProtocol.JsonSubProtocol : WsRestProtocol.SubProtocol;
            using (var connectTimeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
            {
                connectTimeout.CancelAfter(_options.ConnectTimeout);
                socket = _options.WebSocketFactory is { } factory
                    ? await factory(new WsRestWebSocketContext(_options.Endpoint!, subProtocol), connectTimeout.Token).ConfigureAwait(false)
                        ?? throw new InvalidOperationException("WsRestClientOptions.WebSocketFactory returned no WebSocket.")
                    : await ConnectClientWebSocketAsync(subProtocol, connectTimeout.Token).ConfigureAwait(false);
            }

            if (socket.SubProtocol != subProtocol)
            {
                throw new WsRestProtocolException($"The server at {_options.Endpoint} did not accept the '{subProtocol}' subprotocol.");
            }

            var serves = _options.StreamHandlerFactory is not null || _options.RequestHandler is not null || EndpointsHandler is not null;
            var local = new PeerSettings
            {
                // Without a handler nothing serves the server's requests: announce that none are accepted.
                MaxConcurrentStreams = serves ? _options.MaxConcurrentStreams : 0,
                InitialStreamWindow = _options.InitialStreamWindowSize,
                InitialConnectionWindow = _options.InitialConnectionWindowSize,
                MaxMessageSize = _options.MaxMessageSize,
                MaxHeaderListSize = _options.MaxHeaderListSize,
                HeartbeatIntervalMs = (int)_options.KeepAliveInterval.TotalMilliseconds,
                PubSub = PubSubFrames.PubSubWithEpochs,
            };

            WelcomeFrame welcome;
            using (var handshakeTimeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
            {
                handshakeTimeout.CancelAfter(_options.HandshakeTimeout);
                var previous = previousConnectionId is null ? null : Convert.FromHexString(previousConnectionId);
                var hello = new HelloFrame(WsRestProtocol.Version, local, [.. _metadata], previous);
                welcome = await Handshake.DialAsync(socket, hello, handshakeTimeout.Token).ConfigureAwait(false);
            }

            ConnectionId = Convert.ToHexStringLower(welcome.ConnectionId);
            var handler = serves ? CreateStreamHandler() : null;
            return new WsRestPeer(socket, new PeerOptions
            {
                Role = PeerRole.Client,
                Local = local,
                Remote = welcome.Settings,
                RemoteName = "server",
                Handler = handler,
                Extensions = [_pubSub.CreateEndpoint()],
                HeartbeatInterval = _options.KeepAliveInterval,
                HeartbeatTimeout = _options.KeepAliveTimeout,
                SendTimeout = _options.SendTimeout,
                TimeProvider = _timeProvider,
                Metrics = _metrics,
            });
        }
        catch (Exception ex)
        {
            socket?.Abort();
            socket?.Dispose();
            throw ex switch
            {
                HttpRequestException => ex,
                OperationCanceledException when cancellationToken.IsCancellationRequested => ex,
                OperationCanceledException => new HttpRequestException(HttpRequestError.ConnectionError, $"Connecting to {_options.Endpoint} timed out.", ex),
                WsRestProtocolException => new HttpRequestException(HttpRequestError.ConnectionError, $"The WsRest handshake with {_options.Endpoint} failed: {ex.Message}", ex),
                _ => new HttpRequestException(HttpRequestError.ConnectionError, $"Could not connect to {_options.Endpoint}: {ex.Message}", ex),
            };
        }
    }
}
