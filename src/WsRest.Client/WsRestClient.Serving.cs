using System.Net.Http;
using WsRest.Client.Serving;

namespace WsRest.Client;

public sealed partial class WsRestClient
{
    private EndpointRouter? _endpointsHandler;

    /// <summary>
    /// The application's services, for the handlers of <see cref="WsRestClientOptions.Endpoints"/> (a scope
    /// per request); set by the dependency-injection registry that creates the client.
    /// </summary>
    internal IServiceProvider? EndpointServices { get; set; }

    /// <summary>Serves <see cref="WsRestClientOptions.Endpoints"/> when any are mapped; null otherwise.</summary>
    private HttpMessageHandler? EndpointsHandler
        => _options.Endpoints.Count == 0 ? null : _endpointsHandler ??= new EndpointRouter(_options.Endpoints, EndpointServices);
}
