using WsRest.Server.Dispatch;

using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Logging;

namespace WsRest.Server.Hosting;

/// <summary>
/// Wraps the app's real <see cref="IServer"/> (Kestrel) to keep the <see cref="IHttpApplication{TContext}"/>
/// it is started with, so tunneled requests go through the very pipeline plain HTTP requests use.
/// On stop, WsRest connections get GOAWAY and drain before the inner server stops.
/// </summary>
internal sealed class WsRestServerDecorator : IServer
{
    private readonly IServer _inner;
    private readonly ApplicationPipelineHolder _holder;
    private readonly WsRestConnectionRegistry _registry;
    private readonly ILogger _logger;

    public WsRestServerDecorator(IServer inner, ApplicationPipelineHolder holder, WsRestConnectionRegistry registry, ILoggerFactory loggerFactory)
    {
        _inner = inner;
        _holder = holder;
        _registry = registry;
        _logger = loggerFactory.CreateLogger("WsRest.Server");
    }

    public IFeatureCollection Features => _inner.Features;

    /// <summary>The server this one wraps (Kestrel).</summary>
    internal IServer Inner => _inner;

    public Task StartAsync<TContext>(IHttpApplication<TContext> application, CancellationToken cancellationToken)
        where TContext : notnull
    {
        _holder.Set(new ApplicationPipeline<TContext>(application, _logger));
        return _inner.StartAsync(application, cancellationToken);
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        await _registry.ShutdownAsync(cancellationToken).ConfigureAwait(false);
        await _inner.StopAsync(cancellationToken).ConfigureAwait(false);
    }

    public void Dispose() => _inner.Dispose();
}
