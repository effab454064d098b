using Microsoft.AspNetCore.Http.Features;

namespace WsRest.Server.Dispatch;

/// <summary>A request whose REQUEST frame ended the stream with no inline bytes has no body.</summary>
internal sealed class TunnelRequestBodyDetectionFeature(bool canHaveBody) : IHttpRequestBodyDetectionFeature
{
    public bool CanHaveBody { get; } = canHaveBody;
}
