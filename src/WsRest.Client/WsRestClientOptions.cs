using System.Net.WebSockets;

namespace WsRest.Client;

/// <summary>Configures a <see cref="WsRestClient"/>. Defaults are documented on each property and in docs/client.md.</summary>
public sealed class WsRestClientOptions
{
    /// <summary>The server's WsRest endpoint, e.g. <c>ws://localhost:5000/wsrest</c> (or <c>wss://</c>). Required.</summary>
    public Uri? Endpoint { get; set; }

    /// <summary>
    /// Metadata sent to the server in the handshake (HELLO), visible in its connection registry.
    /// Bounded by the server (4 KiB by default). Do not put secrets here; authenticate the upgrade request instead.
    /// </summary>
    public IDictionary<string, string> Metadata { get; } = new Dictionary<string, string>(StringComparer.Ordinal);

    /// <summary>The encoding of the connection's frames (the WebSocket subprotocol offered). Default <see cref="WsRestEncoding.Binary"/>.</summary>
    public WsRestEncoding Encoding { get; set; } = WsRestEncoding.Binary;

    /// <summary>How long connecting (TCP, TLS, WebSocket upgrade) may take. Default 10 s.</summary>
    public TimeSpan ConnectTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>How long the HELLO/WELCOME/READY exchange may take once the socket is open. Default 10 s.</summary>
    public TimeSpan HandshakeTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Silence after which a liveness probe goes out: a WebSocket PING and, since that cannot see a peer
    /// whose engine is stuck, a wsrest PING. Default 15 s; <see cref="TimeSpan.Zero"/> disables both.
    /// </summary>
    public TimeSpan KeepAliveInterval { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>How long a probe may go unanswered before the connection is considered dead and dropped. Default 30 s.</summary>
    public TimeSpan KeepAliveTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Serves requests the server sends to this client over the same socket (the reverse direction,
    /// docs/reverse.md); null refuses them. The client does not dispose the handler. For a full ASP.NET
    /// Core app on this side, use <c>UseWsRestTunnel</c> from WsRest.Server instead.
    /// </summary>
    public HttpMessageHandler? RequestHandler { get; set; }

    /// <summary>How many requests from the server may run at once when <see cref="RequestHandler"/> is set. Default 100.</summary>
    public int MaxConcurrentStreams { get; set; } = 100;

    /// <summary>
    /// Endpoints this client serves to the server (routing by method and path, typed JSON, services from
    /// dependency injection), used when <see cref="RequestHandler"/> is null: the light way for a console
    /// or worker-service client to answer the server's calls (docs/reverse.md). Empty by default: a client
    /// that maps nothing and has no handler accepts no calls.
    /// </summary>
    public WsRestEndpoints Endpoints { get; } = new();

    /// <summary>
    /// Serves requests from the server with a delegate (a shortcut for <see cref="RequestHandler"/>). The
    /// request's URI is <c>http://localhost</c> followed by the path and query the server sent.
    /// </summary>
    public void HandleRequests(Func<HttpRequestMessage, CancellationToken, Task<HttpResponseMessage>> handler)
    {
        ArgumentNullException.ThrowIfNull(handler);
        RequestHandler = new DelegateMessageHandler(handler);
    }

    /// <summary>Set by hosts that serve with their own dispatcher (the tunnel server); one handler per connection.</summary>
    internal Func<WsRestClient, WsRest.Engine.IWsRestStreamHandler>? StreamHandlerFactory { get; set; }

    /// <summary>
    /// Events one subscription may have waiting for its handler; when a slow handler lets more pile up,
    /// the oldest waiting event is dropped and the handler gets a gap notice instead. Default 1000.
    /// </summary>
    public int SubscriptionQueueCapacity { get; set; } = 1000;

    /// <summary>
    /// How long one write to the server may take before the server is considered to have stopped reading
    /// and the connection is dropped (then reconnected). Default 30 s; <see cref="Timeout.InfiniteTimeSpan"/> disables it.
    /// </summary>
    public TimeSpan SendTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How the client reconnects after losing its connection (on by default).</summary>
    public WsRestReconnectOptions Reconnect { get; } = new();

    /// <summary>Flow-control window per stream this client receives on. Default 256 KiB.</summary>
    public int InitialStreamWindowSize { get; set; } = 256 * 1024;

    /// <summary>Flow-control window for the whole connection. Default 1 MiB.</summary>
    public int InitialConnectionWindowSize { get; set; } = 1024 * 1024;

    /// <summary>Largest WebSocket message this client accepts. Default 1 MiB; at least 4 KiB.</summary>
    public int MaxMessageSize { get; set; } = 1024 * 1024;

    /// <summary>Largest decoded header block (names plus values) this client accepts. Default 64 KiB.</summary>
    public int MaxHeaderListSize { get; set; } = 64 * 1024;

    /// <summary>
    /// Offers the WebSocket permessage-deflate extension (RFC 7692) with these parameters; the connection
    /// compresses only if the server also allows it (<c>WsRestServerOptions.Compression</c>). Default null:
    /// not offered. Applied as <see cref="ClientWebSocketOptions.DangerousDeflateOptions"/>.
    /// </summary>
    /// <remarks>
    /// <para>
    /// Off by default for two reasons. Security: with context takeover (what makes repeated small messages
    /// shrink to a few bytes) secrets such as cookies or tokens are compressed together with data an
    /// attacker may influence, and the compressed size can then reveal them (CRIME/BREACH, docs/security.md).
    /// Memory: each side keeps a deflate and an inflate context per connection, about 300 KiB with the
    /// default 15 window bits, against ~20 KiB for an idle connection without it.
    /// </para>
    /// <para>
    /// <see cref="MaxMessageSize"/> applies to the decompressed message, so a small compressed message that
    /// inflates past it still closes the connection (1009). Bind from configuration by setting any of its
    /// keys, e.g. <c>"DeflateOptions": { "ClientContextTakeover": true }</c>; an empty section binds nothing.
    /// </para>
    /// </remarks>
    public WebSocketDeflateOptions? DeflateOptions { get; set; }

    /// <summary>Adjusts the underlying <see cref="ClientWebSocketOptions"/> (request headers such as Authorization, certificates, proxy).</summary>
    public Action<ClientWebSocketOptions>? ConfigureWebSocket { get; set; }

    /// <summary>Lets a test or a custom transport supply the connection; the default connects a <see cref="ClientWebSocket"/>.</summary>
    public HttpMessageInvoker? WebSocketInvoker { get; set; }

    /// <summary>
    /// Opens each connection's WebSocket instead of a <see cref="ClientWebSocket"/>, for a transport that
    /// is no socket: the in-memory <c>TestServer</c> of <c>WebApplicationFactory</c>
    /// (<c>TestServer.CreateWebSocketClient()</c>, docs/ecosystem.md), or a custom one. It must return an
    /// open WebSocket whose <see cref="WebSocket.SubProtocol"/> is <see cref="WsRestWebSocketContext.SubProtocol"/>;
    /// the client owns and disposes it. It runs under <see cref="ConnectTimeout"/>; <see cref="ConfigureWebSocket"/>,
    /// <see cref="WebSocketInvoker"/>, <see cref="DeflateOptions"/> and the WebSocket keep-alive do not apply to
    /// it (the WsRest heartbeat still does). Default null: a <see cref="ClientWebSocket"/>.
    /// </summary>
    public Func<WsRestWebSocketContext, CancellationToken, ValueTask<WebSocket>>? WebSocketFactory { get; set; }

    internal void Validate()
    {
        if (Endpoint is null)
        {
            throw new InvalidOperationException($"{nameof(WsRestClientOptions)}.{nameof(Endpoint)} is required, e.g. ws://localhost:5000/wsrest.");
        }

        if (!Endpoint.IsAbsoluteUri || (Endpoint.Scheme != "ws" && Endpoint.Scheme != "wss"))
        {
            throw new InvalidOperationException($"{nameof(WsRestClientOptions)}.{nameof(Endpoint)} must be an absolute ws:// or wss:// URI; got '{Endpoint}'.");
        }

        if (MaxMessageSize < 4096)
        {
            throw new InvalidOperationException($"{nameof(MaxMessageSize)} must be at least 4096 bytes.");
        }

        if (Reconnect.MaxAttempts is < 1 || Reconnect.InitialDelay < TimeSpan.Zero || Reconnect.MaxDelay < Reconnect.InitialDelay || Reconnect.MaxPendingRequests < 0)
        {
            throw new InvalidOperationException("Reconnect options are invalid: MaxAttempts must be at least 1, delays non-negative with MaxDelay >= InitialDelay, MaxPendingRequests non-negative.");
        }

        if (Reconnect.IsPermanentFailure is null)
        {
            throw new InvalidOperationException($"Reconnect.{nameof(WsRestReconnectOptions.IsPermanentFailure)} must not be null; use _ => false to retry every failure.");
        }

        if (KeepAliveInterval < TimeSpan.Zero || KeepAliveInterval > TimeSpan.FromDays(1) || KeepAliveTimeout <= TimeSpan.Zero || KeepAliveTimeout > TimeSpan.FromDays(1))
        {
            throw new InvalidOperationException("KeepAliveInterval must be between 0 (off) and one day, and KeepAliveTimeout positive and at most one day.");
        }

        if (MaxConcurrentStreams < 1)
        {
            throw new InvalidOperationException($"{nameof(MaxConcurrentStreams)} must be at least 1.");
        }

        if (InitialStreamWindowSize < 1 || InitialConnectionWindowSize < 1 || MaxHeaderListSize < 1)
        {
            throw new InvalidOperationException("Stream, window and header limits must be positive.");
        }
    }
}
