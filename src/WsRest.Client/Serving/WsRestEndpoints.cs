using System.Net.Http;
using System.Text.Json;
using WsRest.Client.Serving;

namespace WsRest.Client;

/// <summary>
/// A few HTTP endpoints this client serves to the server over its connection (the reverse direction,
/// docs/reverse.md, "Serving a few endpoints"), for console and worker-service clients that are not web
/// apps: routing by method and path (<c>{name}</c> parameters), typed JSON in and out with the web
/// defaults, and handlers that take services from dependency injection
/// (<see cref="WsRestIncomingRequest.Services"/>). A request for an unknown path gets 404, one for a
/// known path with another method 405 (with <c>Allow</c>), a body that is not the expected JSON 400.
/// </summary>
/// <remarks>
/// Used when <see cref="WsRestClientOptions.RequestHandler"/> is null. Map every endpoint before the
/// client connects: the table is read on each request, and changing it while requests run is not supported.
/// </remarks>
public sealed class WsRestEndpoints
{
    private readonly List<Route> _routes = [];

    /// <summary>
    /// How request bodies are read and results written: <see cref="JsonSerializerOptions.Web"/> by default
    /// (camelCase, case-insensitive), as <c>System.Net.Http.Json</c> and ASP.NET Core minimal APIs use.
    /// </summary>
    public JsonSerializerOptions SerializerOptions { get; set; } = JsonSerializerOptions.Web;

    /// <summary>How many endpoints are mapped.</summary>
    public int Count => _routes.Count;

    internal IReadOnlyList<Route> Routes => _routes;

    /// <summary>Serves <paramref name="method"/> requests for <paramref name="pattern"/> with a handler that answers with a whole <see cref="HttpResponseMessage"/>.</summary>
    /// <param name="method">The HTTP method, e.g. <c>PATCH</c> (compared case-insensitively).</param>
    /// <param name="pattern">The route, e.g. <c>/displays/{screen}</c>.</param>
    /// <param name="handler">Answers the request.</param>
    /// <returns>This table, for chaining.</returns>
    public WsRestEndpoints Map(string method, string pattern, Func<WsRestIncomingRequest, CancellationToken, Task<HttpResponseMessage>> handler)
    {
        ArgumentException.ThrowIfNullOrEmpty(method);
        ArgumentNullException.ThrowIfNull(handler);
        var parsed = RoutePattern.Parse(pattern);
        if (_routes.Any(r => r.Method.Equals(method, StringComparison.OrdinalIgnoreCase) && r.Pattern.Text.Equals(pattern, StringComparison.OrdinalIgnoreCase)))
        {
            throw new ArgumentException($"{method.ToUpperInvariant()} {pattern} is mapped already.", nameof(pattern));
        }

        _routes.Add(new Route(method.ToUpperInvariant(), parsed, handler));
        return this;
    }

    /// <summary>Serves GET <paramref name="pattern"/>: the handler's result is the 200 response's JSON body.</summary>
    /// <typeparam name="TResponse">The result's type.</typeparam>
    /// <param name="pattern">The route, e.g. <c>/status</c>.</param>
    /// <param name="handler">Produces the result.</param>
    /// <returns>This table, for chaining.</returns>
    public WsRestEndpoints MapGet<TResponse>(string pattern, Func<WsRestIncomingRequest, CancellationToken, Task<TResponse>> handler)
        => MapTyped("GET", pattern, handler);

    /// <summary>Serves DELETE <paramref name="pattern"/>: the handler's result is the 200 response's JSON body.</summary>
    /// <typeparam name="TResponse">The result's type.</typeparam>
    /// <param name="pattern">The route.</param>
    /// <param name="handler">Produces the result.</param>
    /// <returns>This table, for chaining.</returns>
    public WsRestEndpoints MapDelete<TResponse>(string pattern, Func<WsRestIncomingRequest, CancellationToken, Task<TResponse>> handler)
        => MapTyped("DELETE", pattern, handler);

    /// <summary>Serves POST <paramref name="pattern"/> with a JSON body read as <typeparamref name="TRequest"/>; the result is the 200 response's JSON body.</summary>
    /// <typeparam name="TRequest">The body's type.</typeparam>
    /// <typeparam name="TResponse">The result's type.</typeparam>
    /// <param name="pattern">The route.</param>
    /// <param name="handler">Handles the body and produces the result.</param>
    /// <returns>This table, for chaining.</returns>
    public WsRestEndpoints MapPost<TRequest, TResponse>(string pattern, Func<TRequest, WsRestIncomingRequest, CancellationToken, Task<TResponse>> handler)
        => MapWithBody("POST", pattern, handler);

    /// <summary>Serves PUT <paramref name="pattern"/> with a JSON body read as <typeparamref name="TRequest"/>; the result is the 200 response's JSON body.</summary>
    /// <typeparam name="TRequest">The body's type.</typeparam>
    /// <typeparam name="TResponse">The result's type.</typeparam>
    /// <param name="pattern">The route.</param>
    /// <param name="handler">Handles the body and produces the result.</param>
    /// <returns>This table, for chaining.</returns>
    public WsRestEndpoints MapPut<TRequest, TResponse>(string pattern, Func<TRequest, WsRestIncomingRequest, CancellationToken, Task<TResponse>> handler)
        => MapWithBody("PUT", pattern, handler);

    private WsRestEndpoints MapTyped<TResponse>(string method, string pattern, Func<WsRestIncomingRequest, CancellationToken, Task<TResponse>> handler)
    {
        ArgumentNullException.ThrowIfNull(handler);
        return Map(method, pattern, async (request, cancellationToken) => EndpointResults.Json(await handler(request, cancellationToken).ConfigureAwait(false), SerializerOptions));
    }

    private WsRestEndpoints MapWithBody<TRequest, TResponse>(string method, string pattern, Func<TRequest, WsRestIncomingRequest, CancellationToken, Task<TResponse>> handler)
    {
        ArgumentNullException.ThrowIfNull(handler);
        return Map(method, pattern, async (request, cancellationToken) =>
        {
            var (ok, body, problem) = await EndpointResults.ReadJsonAsync<TRequest>(request.Message, SerializerOptions, cancellationToken).ConfigureAwait(false);
            return ok
                ? EndpointResults.Json(await handler(body!, request, cancellationToken).ConfigureAwait(false), SerializerOptions)
                : problem!;
        });
    }

    internal sealed record Route(string Method, RoutePattern Pattern, Func<WsRestIncomingRequest, CancellationToken, Task<HttpResponseMessage>> Handler);
}
