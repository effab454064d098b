using Microsoft.AspNetCore.Http.Features;
using WsRest.Server.Dispatch;

namespace WsRest.Server.Hosting;

/// <summary>The app's pipeline with its context type erased, so dispatch code need not be generic.</summary>
internal interface ITunnelApplication
{
    Task ProcessRequestAsync(IFeatureCollection features, TunnelResponse response, string connectionId, ulong streamId);
}
