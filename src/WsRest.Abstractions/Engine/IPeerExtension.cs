using WsRest.Protocol;

namespace WsRest.Engine;

/// <summary>
/// A feature carried on a connection beside its streams (pub/sub today; later, say, a codec's extra
/// frames or a backplane's notices). The peer stays a stream multiplexer: it hands an extension the
/// frame types the extension claims and tells it when the connection starts and ends. One instance
/// per connection, registered through <see cref="PeerOptions.Extensions"/>.
/// </summary>
internal interface IPeerExtension
{
    /// <summary>
    /// Whether frames of <paramref name="type"/> go to this extension. Asked only for types the engine
    /// itself does not handle; a type no extension claims is a protocol error.
    /// </summary>
    bool Handles(FrameType type);

    /// <summary>The peer is running: frames may be queued on it. Called once, before its loops start.</summary>
    void OnStarted(WsRestPeer peer);

    /// <summary>
    /// A frame of a claimed type arrived. Called on the read loop: copy what is needed and return at
    /// once; no application code runs here. A malformed frame throws <see cref="WsRestProtocolException"/>,
    /// which fails the connection like any other protocol error.
    /// </summary>
    void OnFrame(in Frame frame);

    /// <summary>The connection ended; <paramref name="reason"/> is null for a clean close.</summary>
    void OnConnectionClosed(Exception? reason);
}
