namespace WsRest.Load;

/// <summary>The kinds of idle connection the <c>--idle</c> measurement opens, WsRest first (see <see cref="IdleBench"/>).</summary>
internal enum IdleKind
{
    /// <summary>A <c>WsRestClient</c> with default options, handshake completed, nothing sent after.</summary>
    WsRest,

    /// <summary>A bare WebSocket to <see cref="IdleRawEndpoint"/>: Kestrel and the WebSocket alone, the floor under WsRest.</summary>
    RawWebSocket,

    /// <summary>An HTTP/1.1 connection kept alive after one <c>GET /small</c>.</summary>
    Http11KeepAlive,
}

internal static class IdleKinds
{
    public static string Name(IdleKind kind) => kind switch
    {
        IdleKind.WsRest => "WsRest (default options)",
        IdleKind.RawWebSocket => "raw WebSocket (no app buffer)",
        IdleKind.Http11KeepAlive => "HTTP/1.1 keep-alive",
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };
}
