using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using WsRest.Server.Dispatch;

namespace WsRest.Server.Hosting;

/// <summary>
/// Holds the pipeline captured by <see cref="WsRestServerDecorator"/> for the connection handler; on the
/// in-memory TestServer, which is not decorated, it takes the pipeline from the server instead.
/// </summary>
internal sealed class ApplicationPipelineHolder
{
    private readonly IServiceProvider _services;
    private readonly ILogger _logger;
    private volatile IApplicationPipeline? _application;

    public ApplicationPipelineHolder(IServiceProvider services, ILoggerFactory loggerFactory)
    {
        _services = services;
        _logger = loggerFactory.CreateLogger("WsRest.Server");
    }

    public IApplicationPipeline? Application => _application ?? FromTestServer();

    public void Set(IApplicationPipeline application) => _application = application;

    private IApplicationPipeline? FromTestServer()
    {
        // Resolved late: the decorator itself depends on this holder.
        var server = _services.GetRequiredService<IServer>();
        if (!TestServerPipeline.IsTestServer(server.GetType()) || TestServerPipeline.Capture(server, _logger) is not { } application)
        {
            return null;
        }

        _application = application;
        return application;
    }
}
