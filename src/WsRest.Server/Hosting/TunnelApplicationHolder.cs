namespace WsRest.Server.Hosting;

/// <summary>Holds the pipeline captured by <see cref="WsRestServerDecorator"/> for the connection handler.</summary>
internal sealed class TunnelApplicationHolder
{
    private volatile ITunnelApplication? _application;

    public ITunnelApplication? Application => _application;

    public void Set(ITunnelApplication application) => _application = application;
}
