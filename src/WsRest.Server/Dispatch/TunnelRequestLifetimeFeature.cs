using Microsoft.AspNetCore.Http.Features;
using WsRest.Engine;

namespace WsRest.Server.Dispatch;

/// <summary>RequestAborted fires when the client sends CANCEL or the connection drops; Abort sends CANCEL.</summary>
internal sealed class TunnelRequestLifetimeFeature : IHttpRequestLifetimeFeature
{
    private readonly WsRestStream _stream;

    public TunnelRequestLifetimeFeature(WsRestStream stream)
    {
        _stream = stream;
        RequestAborted = stream.Aborted;
    }

    public CancellationToken RequestAborted { get; set; }

    public void Abort() => _stream.Reset(WsRestErrorCode.Cancel);
}
