namespace WsRest.Client.DependencyInjection;

// Registration records kept in the service collection as singleton instances: the registry and the
// options validator enumerate them, so every AddWebSocketTransport / AddWsRestClient call is visible
// without a mutable static or a builder object that outlives ConfigureServices.

/// <summary>A connection declared by name; its options are the named <see cref="WsRestClientOptions"/> of that name.</summary>
internal sealed record WsRestNamedConnection(string Name);

/// <summary>
/// An <see cref="HttpClient"/> that sends over WsRest. With a <see cref="ConnectionName"/> it uses that
/// named connection; without one, its options are named after the HttpClient and its connection is
/// shared with every other such client that names the same endpoint.
/// </summary>
/// <param name="HttpClientName">The HttpClient's name (a typed client's type name).</param>
/// <param name="ConnectionName">The named connection it uses, or null to share by endpoint.</param>
/// <param name="ConfigurationPath">The configuration section its options were bound from, if known (for error messages).</param>
internal sealed record WsRestHttpClientBinding(string HttpClientName, string? ConnectionName, string? ConfigurationPath);
