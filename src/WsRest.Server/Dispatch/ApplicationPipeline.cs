using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Logging;

namespace WsRest.Server.Dispatch;

/// <summary>
/// Runs a tunneled request exactly as Kestrel runs one: CreateContext, ProcessRequestAsync, complete the
/// response, OnCompleted, DisposeContext. Hosting diagnostics, Activity, logging scopes and request
/// services all come from the app's own <see cref="IHttpApplication{TContext}"/>.
/// </summary>
internal sealed class ApplicationPipeline<TContext> : IApplicationPipeline
    where TContext : notnull
{
    private readonly IHttpApplication<TContext> _application;
    private readonly ILogger _logger;

    public ApplicationPipeline(IHttpApplication<TContext> application, ILogger logger)
    {
        _application = application;
        _logger = logger;
    }

    public DispatchContext CreateRequestContext(DispatchConnectionContext connection) => new DispatchContext<TContext>(connection);

    public async Task ProcessRequestAsync(IFeatureCollection features, DispatchResponse response, string connectionId)
    {
        var context = _application.CreateContext(features);
        Exception? error = null;
        try
        {
            await _application.ProcessRequestAsync(context).ConfigureAwait(false);
            await response.CompleteResponseAsync().ConfigureAwait(false);
        }
        catch (Exception ex) when ((ex is OperationCanceledException or IOException) && response.IsAborted)
        {
            // As Kestrel: an app that fails because the client cancelled or went away did not fail;
            // Debug, and no exception handed to the hosting layer (it would count as unhandled).
            Log.RequestAborted(_logger, connectionId, TraceIdentifier(features));
        }
        catch (Exception ex)
        {
            error = ex;
            Log.ApplicationError(_logger, connectionId, TraceIdentifier(features), ex);
            await response.FailAsync(ex).ConfigureAwait(false);
        }
        finally
        {
            try
            {
                await response.FireOnCompletedAsync().ConfigureAwait(false);
            }
            catch (Exception ex)
            {
                Log.OnCompletedError(_logger, connectionId, TraceIdentifier(features), ex);
            }

            _application.DisposeContext(context, error);
        }
    }

    public void LogBadRequest(string connectionId, string reason) => Log.BadRequest(_logger, connectionId, reason);

    // Read only when logging: the identifier is made on first use, and most requests never need it.
    private static string? TraceIdentifier(IFeatureCollection features) => features.Get<IHttpRequestIdentifierFeature>()?.TraceIdentifier;
}
