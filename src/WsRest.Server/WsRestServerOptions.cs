namespace WsRest.Server;

/// <summary>Configures the WsRest server. Defaults are documented on each property and in docs/server.md.</summary>
public sealed class WsRestServerOptions
{
    /// <summary>How many streams one client may have open at once; further ones are refused (RefusedStream). Default 100.</summary>
    public int MaxConcurrentStreams { get; set; } = 100;

    /// <summary>Flow-control window per stream the server receives on. Default 256 KiB.</summary>
    public int InitialStreamWindowSize { get; set; } = 256 * 1024;

    /// <summary>Flow-control window per connection. Default 1 MiB.</summary>
    public int InitialConnectionWindowSize { get; set; } = 1024 * 1024;

    /// <summary>Largest WebSocket message the server accepts; a larger one closes the connection (1009). Default 1 MiB.</summary>
    public int MaxMessageSize { get; set; } = 1024 * 1024;

    /// <summary>
    /// Largest decoded request head (method, target, header names and values), the protocol's own limit;
    /// a larger request is answered 414 (its method and target alone are over) or 431 without running the
    /// app, and the connection goes on. Kestrel's <c>Limits.MaxRequestLineSize</c> and
    /// <c>MaxRequestHeadersTotalSize</c> apply as well (docs/security.md). Default 64 KiB.
    /// </summary>
    public int MaxHeaderListSize { get; set; } = 64 * 1024;

    /// <summary>Largest client metadata (UTF-8 bytes of keys and values) accepted in HELLO. Default 4 KiB.</summary>
    public int MaxMetadataSize { get; set; } = 4 * 1024;

    /// <summary>
    /// Default request body limit for tunneled requests, as Kestrel's <c>MaxRequestBodySize</c> (30,000,000 bytes);
    /// null means unlimited. Endpoints change it the usual way (<c>[RequestSizeLimit]</c>, <c>IHttpMaxRequestBodySizeFeature</c>).
    /// </summary>
    public long? MaxRequestBodySize { get; set; } = 30_000_000;

    /// <summary>Time allowed from the WebSocket upgrade to READY. Default 10 s.</summary>
    public TimeSpan HandshakeTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Silence after which the server probes a connection: a WebSocket PING and a wsrest PING (which also
    /// catches a client whose engine is stuck, and browsers, which cannot send PINGs). Default 15 s;
    /// <see cref="TimeSpan.Zero"/> disables both.
    /// </summary>
    public TimeSpan KeepAliveInterval { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>How long a probe may go unanswered before the server drops the connection (Failed event). Default 30 s.</summary>
    public TimeSpan KeepAliveTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>On shutdown, how long in-flight requests may run after GOAWAY before connections are closed. Default 30 s.</summary>
    public TimeSpan ShutdownTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// The clock for heartbeats, the handshake deadline, shutdown and event timestamps. Default
    /// <see cref="TimeProvider.System"/>; tests set a manual clock here (not in DI, where Kestrel would
    /// use it for its own timeouts too).
    /// </summary>
    public TimeProvider TimeProvider { get; set; } = TimeProvider.System;

    /// <summary>Pub/sub settings: replay buffer, slow-subscriber queue, authorization (docs/pubsub.md).</summary>
    public WsRestPubSubOptions PubSub { get; } = new();

    /// <summary>
    /// WebSocket permessage-deflate: off by default (a compression side channel and ~300 KiB per
    /// connection, see <see cref="WsRestCompressionOptions"/>); when enabled, used on connections whose
    /// client offers it. <see cref="MaxMessageSize"/> applies to the decompressed message.
    /// </summary>
    public WsRestCompressionOptions Compression { get; } = new();

    /// <summary>
    /// Origins (scheme://host[:port]) browsers may upgrade from, or "*" for any. Empty (the default)
    /// allows only the server's own origin: a page on another site cannot open a WsRest connection
    /// with the user's cookies (cross-site WebSocket hijacking). Requests without an Origin header
    /// (non-browser clients) are not affected.
    /// </summary>
    public IList<string> AllowedOrigins { get; } = new List<string>();

    /// <summary>
    /// Whether clients may choose the JSON encoding <c>wsrest.v1.json</c> (docs/protocol.md §13) for
    /// browsers and debugging. Every rule, limit and check applies to it as to <c>wsrest.v1</c>; the
    /// server selects the first of the two that the client offers. Default true.
    /// </summary>
    public bool EnableJsonSubProtocol { get; set; } = true;

    /// <summary>Most WsRest connections the server holds at once; more are refused with 503. Default null (no limit).</summary>
    public int? MaxConnections { get; set; }

    /// <summary>Most connections one authenticated user (by name) holds at once; more are refused with 429. Default null (no limit).</summary>
    public int? MaxConnectionsPerUser { get; set; }

    /// <summary>
    /// Most headers the protocol decodes in one tunneled request; more get 431 without running the app.
    /// Kestrel's own <c>Limits.MaxRequestHeaderCount</c> applies as well (the smaller wins). Default 100.
    /// </summary>
    public int MaxRequestHeaderCount { get; set; } = 100;

    /// <summary>
    /// How long one write to a client may take before the client is considered to have stopped reading and
    /// is cut off, instead of being buffered for without bound. Default 30 s; <see cref="Timeout.InfiniteTimeSpan"/> disables it.
    /// </summary>
    public TimeSpan SendTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Close a connection (GOAWAY: requests in flight finish, new ones are refused) when the credentials of
    /// its upgrade expire (<c>AuthenticationProperties.ExpiresUtc</c>), so no request starts on an expired
    /// identity; the client reconnects with fresh credentials. Default true.
    /// </summary>
    public bool CloseOnCredentialExpiry { get; set; } = true;

    /// <summary>
    /// Whether a tunneled request's own <c>Host</c> header is honoured. Default false: every request on a
    /// connection has the Host of its WebSocket upgrade (what the server actually is, as checked by host
    /// filtering at the upgrade), whatever the client writes, so a client cannot reach an endpoint behind
    /// <c>RequireHost</c> that its upgrade could not (docs/security.md). Like Kestrel's option of the same
    /// name; a request with more than one Host value gets 400 either way.
    /// </summary>
    public bool AllowHostHeaderOverride { get; set; }

    /// <summary>The caller name clients see on the server's calls into them (docs/reverse.md). Default "server".</summary>
    public string ServerName { get; set; } = "server";

    /// <summary>
    /// Decides whether the server may call into a client (reverse direction); null allows every call.
    /// A denied call throws <see cref="UnauthorizedAccessException"/> before anything is sent.
    /// </summary>
    public Func<WsRestReverseCallContext, bool>? AuthorizeReverseCall { get; set; }

    /// <summary>How many connection events the registry buffers per reader before it drops the oldest. Default 1024.</summary>
    public int EventBufferCapacity { get; set; } = 1024;
}
