namespace WsRest.Engine;

/// <summary>
/// Serves streams the remote peer opens. Called on the thread pool, never on the read loop, so a
/// handler that blocks stalls only its own stream.
/// </summary>
internal interface IWsRestStreamHandler
{
    /// <summary>Handles one incoming request; must send a response (or reset the stream) before completing.</summary>
    Task HandleAsync(WsRestStream stream);
}
