using System.Diagnostics;
using System.Net.Http;

namespace WsRest.Diagnostics;

/// <summary>
/// W3C trace context across the tunnel. The sender injects <c>traceparent</c>/<c>tracestate</c> as an
/// HTTP client would (SocketsHttpHandler does it below HttpClient, so a custom primary handler must do it
/// itself); the receiving app's hosting layer, or the light handler here, continues the trace.
/// </summary>
internal static class WsRestTracing
{
    public static readonly ActivitySource Source = new(WsRestTelemetry.ActivitySourceName);

    /// <summary>Starts the client span when someone listens, and injects the current trace into the request.</summary>
    public static Activity? StartOutgoing(HttpRequestMessage request)
    {
        var activity = Source.HasListeners() ? Source.StartActivity(request.Method.Method, ActivityKind.Client) : null;
        if (activity is not null)
        {
            activity.SetTag("http.request.method", request.Method.Method);
            activity.SetTag("url.path", request.RequestUri?.IsAbsoluteUri == true ? request.RequestUri.AbsolutePath : request.RequestUri?.OriginalString);
        }

        var context = activity ?? Activity.Current;
        if (context is not null && !request.Headers.Contains("traceparent"))
        {
            DistributedContextPropagator.Current.Inject(context, request, static (carrier, name, value) =>
                ((HttpRequestMessage)carrier!).Headers.TryAddWithoutValidation(name, value));
        }

        return activity;
    }

    /// <summary>Starts the server span of a request served without ASP.NET Core, as a child of the caller's trace.</summary>
    public static Activity? StartIncoming(string method, IReadOnlyList<KeyValuePair<string, string>> headers)
    {
        if (!Source.HasListeners())
        {
            return null;
        }

        string? traceParent = null;
        string? traceState = null;
        foreach (var (name, value) in headers)
        {
            if (name.Equals("traceparent", StringComparison.OrdinalIgnoreCase))
            {
                traceParent = value;
            }
            else if (name.Equals("tracestate", StringComparison.OrdinalIgnoreCase))
            {
                traceState = value;
            }
        }

        ActivityContext.TryParse(traceParent, traceState, out var parent);
        var activity = Source.StartActivity(method, ActivityKind.Server, parent);
        activity?.SetTag("http.request.method", method);
        return activity;
    }
}
