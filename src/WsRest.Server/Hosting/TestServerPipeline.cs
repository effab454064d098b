using System.Reflection;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.Extensions.Logging;
using WsRest.Server.Dispatch;

namespace WsRest.Server.Hosting;

/// <summary>
/// The in-memory <c>TestServer</c> of <c>WebApplicationFactory</c> cannot be wrapped: the factory casts the
/// registered <see cref="IServer"/> to <c>TestServer</c>. So WsRest leaves it alone and takes the app's
/// <see cref="IHttpApplication{TContext}"/> from it once it started, by its non-public <c>Application</c>
/// property (Microsoft.AspNetCore.TestHost 10.0; docs/decisions.md, "WebApplicationFactory"), and runs
/// tunneled requests through it exactly as on Kestrel. WsRest.Server does not reference TestHost: the
/// server is recognized by its type's name.
/// </summary>
internal static class TestServerPipeline
{
    private const string TypeName = "Microsoft.AspNetCore.TestHost.TestServer";

    public static bool IsTestServer(Type? type) => type?.FullName == TypeName;

    /// <summary>The started TestServer's pipeline; null if the server has not started yet.</summary>
    /// <exception cref="InvalidOperationException">This TestHost keeps its application elsewhere.</exception>
    public static IApplicationPipeline? Capture(IServer server, ILogger logger)
    {
        var property = server.GetType().GetProperty("Application", BindingFlags.Instance | BindingFlags.NonPublic | BindingFlags.Public)
            ?? throw Unsupported(server);
        var application = property.GetValue(server);
        if (application is null)
        {
            return null;
        }

        var contract = application.GetType().GetInterfaces()
            .FirstOrDefault(type => type.IsGenericType && type.GetGenericTypeDefinition() == typeof(IHttpApplication<>))
            ?? throw Unsupported(server);
        var pipelineType = typeof(ApplicationPipeline<>).MakeGenericType(contract.GetGenericArguments()[0]);
        return (IApplicationPipeline)Activator.CreateInstance(pipelineType, application, logger)!;
    }

    private static InvalidOperationException Unsupported(IServer server) => new(
        $"WsRest cannot run tunneled requests in this TestServer ({server.GetType().Assembly.GetName()}): it keeps no Application property. " +
        "Run the WebApplicationFactory on Kestrel (factory.UseKestrel()) instead, as docs/ecosystem.md shows.");
}
