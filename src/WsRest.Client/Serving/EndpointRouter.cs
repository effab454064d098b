using System.Net;
using System.Net.Http;
using Microsoft.Extensions.DependencyInjection;

namespace WsRest.Client.Serving;

/// <summary>
/// Serves the server's requests from a <see cref="WsRestEndpoints"/> table: the first route whose
/// pattern and method match answers; a path no route matches is 404, a path matched only with other
/// methods 405 with <c>Allow</c>. Each request gets its own service scope.
/// </summary>
internal sealed class EndpointRouter(WsRestEndpoints endpoints, IServiceProvider? services) : HttpMessageHandler
{
    private static readonly IServiceProvider s_noServices = new NoServices();

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var path = RoutePattern.SplitPath(request.RequestUri!.AbsolutePath);
        List<string>? allowed = null;
        foreach (var route in endpoints.Routes)
        {
            if (!route.Pattern.TryMatch(path, out var values))
            {
                continue;
            }

            if (!route.Method.Equals(request.Method.Method, StringComparison.OrdinalIgnoreCase))
            {
                (allowed ??= []).Add(route.Method);
                continue;
            }

            if (services is null)
            {
                return await route.Handler(new WsRestIncomingRequest(request, values, s_noServices), cancellationToken).ConfigureAwait(false);
            }

            var scope = services.CreateAsyncScope();
            await using (scope.ConfigureAwait(false))
            {
                return await route.Handler(new WsRestIncomingRequest(request, values, scope.ServiceProvider), cancellationToken).ConfigureAwait(false);
            }
        }

        if (allowed is null)
        {
            return EndpointResults.Text(HttpStatusCode.NotFound, $"This client serves no endpoint at {request.RequestUri.AbsolutePath}.");
        }

        var response = EndpointResults.Text(HttpStatusCode.MethodNotAllowed, $"{request.RequestUri.AbsolutePath} does not accept {request.Method}.");
        foreach (var method in allowed.Distinct(StringComparer.Ordinal))
        {
            response.Content.Headers.Allow.Add(method);
        }

        return response;
    }

    /// <summary>The services of a client made without dependency injection: none.</summary>
    private sealed class NoServices : IServiceProvider
    {
        public object? GetService(Type serviceType) => null;
    }
}
