using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.Extensions.DependencyInjection;

namespace WsRest.Server.Hosting;

/// <summary>
/// Fails the start, with what to do, when the app runs on a server that <c>AddWsRest</c> did not wrap: one
/// registered after it, as <c>WebApplicationFactory.UseKestrel()</c> registers Kestrel after Program.cs ran.
/// Every upgrade would otherwise get a 500. Runs as the host builds the pipeline, before the server starts.
/// </summary>
internal sealed class ServerWiringCheck : IStartupFilter
{
    public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
    {
        var server = app.ApplicationServices.GetRequiredService<IServer>();
        if (server is not WsRestServerDecorator && !TestServerPipeline.IsTestServer(server.GetType()))
        {
            throw new InvalidOperationException(
                $"WsRest cannot serve on this app's server, {server.GetType().FullName}: it was registered after AddWsRest wrapped the server of that time " +
                "(WebApplicationFactory.UseKestrel() registers Kestrel after Program.cs ran), so tunneled requests would have no pipeline to run in. " +
                "Call services.AddWsRest() again after the registration that replaced the server; in a WebApplicationFactory, override CreateHost: " +
                "builder.ConfigureServices(services => services.AddWsRest()); return base.CreateHost(builder); (docs/ecosystem.md, \"WebApplicationFactory\").");
        }

        next(app);
    };
}
