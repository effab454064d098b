using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Core.Features;

namespace WsRest.Server.Dispatch;

/// <summary>
/// Kestrel's per-request data-rate features for a tunneled request: they start from the server's
/// <c>KestrelServerLimits</c> and an app may change or disable them (null) for one request, as on Kestrel.
/// </summary>
internal sealed class DispatchDataRateFeatures : IHttpMinRequestBodyDataRateFeature, IHttpMinResponseDataRateFeature
{
    public MinDataRate? RequestBody { get; set; }

    public MinDataRate? Response { get; set; }

    MinDataRate? IHttpMinRequestBodyDataRateFeature.MinDataRate
    {
        get => RequestBody;
        set => RequestBody = value;
    }

    MinDataRate? IHttpMinResponseDataRateFeature.MinDataRate
    {
        get => Response;
        set => Response = value;
    }

    public void Reset(DispatchConnectionContext connection)
    {
        RequestBody = connection.MinRequestBodyDataRate;
        Response = connection.MinResponseDataRate;
    }
}
