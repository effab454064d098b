using System.Net.Http;

namespace WsRest.Client;

/// <summary>
/// A request the server sent to this client, as an endpoint handler of <see cref="WsRestEndpoints"/> sees it
/// (docs/reverse.md, "Serving a few endpoints").
/// </summary>
public sealed class WsRestIncomingRequest
{
    internal WsRestIncomingRequest(HttpRequestMessage message, IReadOnlyDictionary<string, string> routeValues, IServiceProvider services)
    {
        Message = message;
        RouteValues = routeValues;
        Services = services;
    }

    /// <summary>
    /// The request itself: method, headers, body. Its <see cref="HttpRequestMessage.RequestUri"/> is
    /// <c>http://localhost</c> followed by the path and query the server sent (a request over the
    /// connection names no host of its own).
    /// </summary>
    public HttpRequestMessage Message { get; }

    /// <summary>The values of the route's <c>{name}</c> parameters, unescaped; names compare case-insensitively.</summary>
    public IReadOnlyDictionary<string, string> RouteValues { get; }

    /// <summary>
    /// Services for this request: a scope of the application's <see cref="IServiceProvider"/> (disposed
    /// when the handler is done) when the client comes from dependency injection
    /// (<c>AddWebSocketTransport</c>, <c>AddWsRestClient</c>); an empty provider for a client made with <c>new</c>.
    /// </summary>
    public IServiceProvider Services { get; }

    /// <summary>Who is calling, as the server names itself or the caller (the <c>wsrest-caller</c> header); null when absent.</summary>
    public string? Caller => Message.Headers.TryGetValues("wsrest-caller", out var values) ? values.FirstOrDefault() : null;
}
