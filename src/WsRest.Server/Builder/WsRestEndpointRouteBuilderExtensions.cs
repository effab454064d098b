using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using WsRest.Server.Connections;

namespace Microsoft.AspNetCore.Builder;

/// <summary>Maps the WsRest endpoint.</summary>
public static class WsRestEndpointRouteBuilderExtensions
{
    /// <summary>
    /// Maps the WebSocket endpoint clients connect to (e.g. <c>ws://host/wsrest</c>). The result composes
    /// like any endpoint: <c>.RequireAuthorization()</c> authenticates the upgrade once, and every tunneled
    /// request then runs as that user; <c>.RequireCors()</c>, <c>.RequireHost()</c> and the like apply too.
    /// </summary>
    public static IEndpointConventionBuilder MapWsRest(this IEndpointRouteBuilder endpoints, string pattern = "/wsrest")
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        ArgumentException.ThrowIfNullOrEmpty(pattern);
        var handler = endpoints.ServiceProvider.GetService<WsRestConnectionHandler>()
            ?? throw new InvalidOperationException("MapWsRest needs AddWsRest: call builder.Services.AddWsRest() before building the app.");
        return endpoints.Map(pattern, handler.HandleAsync).WithDisplayName("WsRest " + pattern);
    }
}
