using Microsoft.AspNetCore.Http.Features;

namespace WsRest.Server.Dispatch;

/// <summary>The app's pipeline with its context type erased, so dispatch code need not be generic.</summary>
internal interface IApplicationPipeline
{
    /// <summary>A context for requests on one connection, able to keep the app's own per-request state between requests.</summary>
    DispatchContext CreateRequestContext(DispatchConnectionContext connection);

    Task ProcessRequestAsync(IFeatureCollection features, DispatchResponse response, string connectionId);

    /// <summary>A request refused before the app ran (400, 414, 431): Debug, as Kestrel logs bad request data.</summary>
    void LogBadRequest(string connectionId, string reason);
}
