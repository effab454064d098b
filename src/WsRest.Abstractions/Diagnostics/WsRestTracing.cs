using System.Diagnostics;
using System.Globalization;
using System.Net.Http;

namespace WsRest.Diagnostics;

/// <summary>
/// W3C trace context across the tunnel. WsRest is an <see cref="HttpClient"/>'s primary handler, the place
/// SocketsHttpHandler holds on plain HTTP, and SocketsHttpHandler is what makes an HttpClient's span and
/// injects <c>traceparent</c> (its DiagnosticsHandler), not HttpClient. So the sender here does what
/// DiagnosticsHandler does: the client span from the <c>System.Net.Http</c> source when someone listens to
/// it (OpenTelemetry's <c>AddHttpClientInstrumentation()</c>), injection through
/// <see cref="DistributedContextPropagator.Current"/>. The receiving app's hosting layer, or the light
/// handler here, continues the trace (docs/observability.md, "Tracing").
/// </summary>
internal static class WsRestTracing
{
    public static readonly ActivitySource Source = new(WsRestTelemetry.ActivitySourceName);

    /// <summary>The runtime's HttpClient source and span name: what HTTP client instrumentation listens to.</summary>
    private static readonly ActivitySource s_httpClient = new(HttpClientSourceName);

    /// <summary>The name of the runtime's HttpClient <see cref="ActivitySource"/>.</summary>
    public const string HttpClientSourceName = "System.Net.Http";

    /// <summary>The operation name SocketsHttpHandler gives its client span.</summary>
    public const string HttpClientActivityName = "System.Net.Http.HttpRequestOut";

    /// <summary>
    /// Starts the request's client span and injects the trace into the request. The span is the
    /// HttpClient one (<see cref="HttpClientSourceName"/>) when someone listens to that source, else the
    /// WsRest one when someone listens to <see cref="WsRestTelemetry.ActivitySourceName"/>, never both (one
    /// client span per request, as on HTTP). With neither, the caller's <see cref="Activity.Current"/> is
    /// injected, so the server still joins the caller's trace.
    /// </summary>
    public static Activity? StartOutgoing(HttpRequestMessage request)
    {
        Activity? activity = null;
        if (s_httpClient.HasListeners())
        {
            activity = s_httpClient.StartActivity(HttpClientActivityName, ActivityKind.Client);
        }

        if (activity is null && Source.HasListeners())
        {
            activity = Source.StartActivity(request.Method.Method, ActivityKind.Client);
        }

        if (activity is not null)
        {
            // As SocketsHttpHandler names and tags its span (OpenTelemetry HTTP client semantic conventions).
            activity.DisplayName = WsRestMetrics.KnownMethod(request.Method.Method) is "_OTHER" ? "HTTP" : request.Method.Method;
            if (activity.IsAllDataRequested)
            {
                SetRequestTags(activity, request);
            }
        }

        var context = activity ?? Activity.Current;
        if (context is not null && !request.Headers.Contains("traceparent"))
        {
            DistributedContextPropagator.Current.Inject(context, request, static (carrier, name, value) =>
                ((HttpRequestMessage)carrier!).Headers.TryAddWithoutValidation(name, value));
        }

        return activity;
    }

    /// <summary>Records the response status on the client span; a 4xx or 5xx is an error for a client (as SocketsHttpHandler marks it).</summary>
    public static void SetResponse(Activity? activity, int statusCode)
    {
        if (activity is null || !activity.IsAllDataRequested)
        {
            return;
        }

        activity.SetTag("http.response.status_code", statusCode);
        if (statusCode >= 400)
        {
            activity.SetTag("error.type", statusCode.ToString(CultureInfo.InvariantCulture));
            activity.SetStatus(ActivityStatusCode.Error);
        }
    }

    private static void SetRequestTags(Activity activity, HttpRequestMessage request)
    {
        activity.SetTag("http.request.method", WsRestMetrics.KnownMethod(request.Method.Method));
        if (request.RequestUri is { IsAbsoluteUri: true } uri)
        {
            activity.SetTag("server.address", uri.Host);
            activity.SetTag("server.port", uri.Port);

            // The query is redacted as SocketsHttpHandler does by default: its values may be secrets.
            var path = uri.GetComponents(UriComponents.SchemeAndServer | UriComponents.Path, UriFormat.UriEscaped);
            activity.SetTag("url.full", uri.Query.Length > 1 ? path + "?*" : path);
        }
        else if (request.RequestUri is { } relative)
        {
            activity.SetTag("url.path", relative.OriginalString);
        }
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
