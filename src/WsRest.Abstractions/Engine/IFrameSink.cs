using WsRest.Protocol;

namespace WsRest.Engine;

/// <summary>
/// Receives the frames a <see cref="WireFormat"/> decodes from one WebSocket message, in order. The
/// frame's payload is valid only during the call: a sink that keeps anything copies it.
/// </summary>
internal interface IFrameSink
{
    void OnFrame(in Frame frame);
}
