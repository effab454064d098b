using Microsoft.AspNetCore.Hosting.Server.Abstractions;

namespace WsRest.Server.Dispatch;

/// <summary>
/// A request context that also keeps the app's host context (and with it the <c>HttpContext</c>)
/// between requests, the way Kestrel offers it to ASP.NET Core's hosting layer.
/// </summary>
internal sealed class DispatchContext<TContext>(DispatchConnectionContext connection) : DispatchContext(connection), IHostContextContainer<TContext>
    where TContext : notnull
{
    public TContext? HostContext { get; set; }
}
