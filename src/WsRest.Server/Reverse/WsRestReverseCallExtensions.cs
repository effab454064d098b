using WsRest.Server.Reverse;

namespace WsRest.Server;

/// <summary>
/// <see cref="HttpClient"/>s and handlers that call the API a connected client serves (reverse
/// direction, docs/reverse.md). The connection is looked up in the registry per request, so once it is
/// gone every call fails at once with <see cref="HttpRequestException"/>.
/// </summary>
public static class WsRestReverseCallExtensions
{
    /// <summary>An <see cref="HttpClient"/> that calls the API the client on <paramref name="connection"/> serves.</summary>
    /// <param name="connection">The connection to call.</param>
    /// <param name="baseAddress">Base for relative URIs; only the path and query are sent. Default <c>http://localhost/</c>.</param>
    public static HttpClient CreateHttpClient(this WsRestConnection connection, Uri? baseAddress = null)
    {
        ArgumentNullException.ThrowIfNull(connection);
        return connection.Registry.CreateHttpClient(connection.Id, baseAddress);
    }

    /// <summary>An <see cref="HttpClient"/> that calls the API the client on connection <paramref name="connectionId"/> serves.</summary>
    /// <param name="registry">The registry that holds the connection.</param>
    /// <param name="connectionId">The connection to call.</param>
    /// <param name="baseAddress">Base for relative URIs; only the path and query are sent. Default <c>http://localhost/</c>.</param>
    public static HttpClient CreateHttpClient(this WsRestConnectionRegistry registry, string connectionId, Uri? baseAddress = null)
    {
        ArgumentNullException.ThrowIfNull(registry);
        ArgumentException.ThrowIfNullOrEmpty(connectionId);
        return new HttpClient(registry.CreateMessageHandler(connectionId)) { BaseAddress = baseAddress ?? new Uri("http://localhost/") };
    }

    /// <summary>
    /// A handler that sends into connection <paramref name="connectionId"/>, or, when null, into the
    /// connection named per request by <see cref="WsRestRequestOptions.ConnectionId"/> (for
    /// <c>IHttpClientFactory</c>: one handler for every connection).
    /// </summary>
    /// <param name="registry">The registry that holds the connections.</param>
    /// <param name="connectionId">The connection to call, or null to name it per request.</param>
    public static HttpMessageHandler CreateMessageHandler(this WsRestConnectionRegistry registry, string? connectionId = null)
    {
        ArgumentNullException.ThrowIfNull(registry);
        return new ReverseCallHandler(registry, registry.Options, connectionId, registry.Forwarder);
    }
}
