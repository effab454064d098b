using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.Features.Authentication;
using Microsoft.Extensions.Primitives;
using Microsoft.Net.Http.Headers;
using System.Diagnostics;
using WsRest.Diagnostics;
using WsRest.Engine;

namespace WsRest.Server.Dispatch;

/// <summary>
/// Turns each incoming stream into a feature collection and runs it through the app's pipeline, so
/// the app cannot tell a tunneled request from one Kestrel parsed. Runs on the thread pool (the
/// engine never calls it on the read loop). One per connection; it reuses request contexts.
/// </summary>
internal sealed class RequestDispatcher : IWsRestStreamHandler
{
    private readonly IApplicationPipeline _application;
    private readonly DispatchConnectionContext _connection;
    private readonly DispatchContextPool _pool = new();

    public RequestDispatcher(IApplicationPipeline application, DispatchConnectionContext connection)
    {
        _application = application;
        _connection = connection;
    }

    public async Task HandleAsync(WsRestStream stream)
    {
        var started = Stopwatch.GetTimestamp();
        var context = _pool.Rent() ?? _application.CreateRequestContext(_connection);
        context.Initialize(stream);
        try
        {
            if (context.BadRequestReason is not null)
            {
                // As Kestrel: a malformed request, or one over its head limits, never reaches the app;
                // it gets an empty 400, 414 or 431, and the reason is logged at Debug.
                _application.LogBadRequest(_connection.ConnectionId, context.BadRequestReason);
                await RejectAsync(context).ConfigureAwait(false);
                return;
            }

            await _application.ProcessRequestAsync(context, context.Response, _connection.ConnectionId).ConfigureAwait(false);
        }
        finally
        {
            // The status the client got, or none (a reset) if no RESPONSE left.
            var status = stream.HeadSent ? context.Response.StatusCode : 0;
            stream.Peer.Metrics.RecordRequest("incoming", stream.RequestHead!.Method, status, status == 0 ? "reset" : null, started);

            // Whatever request body the app left unread no longer holds connection credit.
            stream.ReleaseBody();

            // The host context was disposed with the request: nothing of the app refers to this one any more.
            context.Reset();
            _pool.Return(context);
        }
    }

    private static Task RejectAsync(DispatchContext context)
    {
        context.Response.StatusCode = context.BadRequestStatus;
        context.Response.Headers.ContentLength = 0;
        return context.Response.CompleteAsync();
    }
}
