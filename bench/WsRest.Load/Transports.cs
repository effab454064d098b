namespace WsRest.Load;

/// <summary>The transports compared, in the order each scenario runs them.</summary>
internal enum TransportKind
{
    Http11,
    Http2,
    WsRest,

    /// <summary>WsRest with permessage-deflate offered by the client (and allowed by the bench server).</summary>
    WsRestDeflate,

    /// <summary>WsRest speaking the JSON encoding <c>wsrest.v1.json</c> (docs/protocol.md §13), as a browser would.</summary>
    WsRestJson,
    SignalR,

    /// <summary>One WebSocket message per request and per answer, no HTTP: the "no HTTP pipeline" reference.</summary>
    RawWebSocket,

    /// <summary>The limit: requests and answers batched many to a message as WsRest's writer does, no HTTP (<see cref="RawBatchEchoEndpoint"/>).</summary>
    RawBatch,
}

/// <summary>What one request of a scenario is.</summary>
internal enum Workload
{
    /// <summary>GET /small: a 100-byte JSON response.</summary>
    SmallGet,

    /// <summary>POST /echo4k: 4 KiB up, the same 4 KiB back.</summary>
    Echo4K,
}

/// <summary>A client-side connection (or pool) to the bench server.</summary>
internal interface ITransport : IAsyncDisposable
{
    /// <summary>Creates the state one load loop reuses for every request it sends.</summary>
    IRequester CreateRequester(Workload workload);
}

/// <summary>Sends one request and reads its whole response; throws if the response is not the expected one.</summary>
internal interface IRequester
{
    ValueTask SendAsync();
}

internal static class Transports
{
    public static string Name(TransportKind kind) => kind switch
    {
        TransportKind.Http11 => "HTTP/1.1 (pool)",
        TransportKind.Http2 => "HTTP/2 (1 conn)",
        TransportKind.WsRest => "WsRest (1 conn)",
        TransportKind.WsRestDeflate => "WsRest+deflate (1 conn)",
        TransportKind.WsRestJson => "WsRest JSON (1 conn)",
        TransportKind.SignalR => "SignalR (1 conn)",
        TransportKind.RawWebSocket => "raw WebSocket, unbatched (1 conn)",
        TransportKind.RawBatch => "raw WebSocket, batching (1 conn)",
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };

    /// <summary>Opens a transport to <paramref name="port"/> on 127.0.0.1 (the server's or a counting proxy's).</summary>
    public static async Task<ITransport> ConnectAsync(TransportKind kind, int port, int concurrency, CancellationToken cancellationToken) => kind switch
    {
        TransportKind.Http11 => HttpTransport.CreateHttp11(port, concurrency),
        TransportKind.Http2 => HttpTransport.CreateHttp2(port),
        TransportKind.WsRest or TransportKind.WsRestDeflate or TransportKind.WsRestJson => await HttpTransport.ConnectWsRestAsync(port, kind, cancellationToken).ConfigureAwait(false),
        TransportKind.SignalR => await SignalRTransport.ConnectAsync(port, cancellationToken).ConfigureAwait(false),
        TransportKind.RawWebSocket or TransportKind.RawBatch => await RawTransport.ConnectAsync(port, batching: kind == TransportKind.RawBatch, cancellationToken).ConfigureAwait(false),
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };
}
