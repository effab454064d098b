using WsRest.Engine;
using WsRest.Protocol;

namespace WsRest.Benchmarks;

/// <summary>
/// Answers every stream with 200, one content-type header and the same 100-byte body in the RESPONSE
/// frame (the load program's <c>GET /small</c>, without ASP.NET Core): only the engine's own work.
/// </summary>
internal sealed class FixedResponseHandler : IWsRestStreamHandler
{
    private static readonly byte[] s_body = new byte[100];

    public Task HandleAsync(WsRestStream stream)
    {
        var head = new PooledBufferWriter();
        ResponseHead.WriteStart(head, 200);
        HeaderCodec.WriteHeader(head, "content-type", "application/json");
        HeaderCodec.WriteEnd(head);
        return stream.SendHeadAsync(FrameType.Response, head, s_body, endStream: true, CancellationToken.None).AsTask();
    }
}
