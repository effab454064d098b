namespace WsRest.Client;

/// <summary>How a <see cref="WsRestClient"/>'s frames travel on the WebSocket (docs/protocol.md §2, §13).</summary>
public enum WsRestEncoding
{
    /// <summary><c>wsrest.v1</c>: compact binary frames. The default, and the efficient choice.</summary>
    Binary,

    /// <summary>
    /// <c>wsrest.v1.json</c>: the same frames as JSON text, readable in traces and a browser's network
    /// tab; larger and slower (docs/benchmarks.md). Everything else behaves exactly as with <see cref="Binary"/>.
    /// </summary>
    Json,
}
