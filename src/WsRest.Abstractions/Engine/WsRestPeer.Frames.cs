using WsRest.Protocol;

namespace WsRest.Engine;

/// <summary>The read loop's <see cref="WireFormat"/> hands each decoded frame back to the engine here.</summary>
internal sealed partial class WsRestPeer : IFrameSink
{
    void IFrameSink.OnFrame(in Frame frame) => ProcessFrame(frame);
}
