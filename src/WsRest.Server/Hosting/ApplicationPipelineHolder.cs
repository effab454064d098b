using WsRest.Server.Dispatch;

namespace WsRest.Server.Hosting;

/// <summary>Holds the pipeline captured by <see cref="WsRestServerDecorator"/> for the connection handler.</summary>
internal sealed class ApplicationPipelineHolder
{
    private volatile IApplicationPipeline? _application;

    public IApplicationPipeline? Application => _application;

    public void Set(IApplicationPipeline application) => _application = application;
}
