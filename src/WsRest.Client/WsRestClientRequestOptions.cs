namespace WsRest.Client;

/// <summary>
/// Per-request options a <see cref="WsRestClient"/> reads from <see cref="HttpRequestMessage.Options"/>.
/// </summary>
/// <example>
/// <code>
/// using var request = new HttpRequestMessage(HttpMethod.Get, "orders");
/// request.Options.Set(WsRestClientRequestOptions.WaitForReady, true);   // wait out a server restart
/// using var response = await http.SendAsync(request, cancellationToken);
/// </code>
/// </example>
public static class WsRestClientRequestOptions
{
    /// <summary>
    /// Whether this request waits for the next connection while the client is backing off between
    /// failed connection attempts (gRPC's wait-for-ready), bounded by the request's own token and
    /// timeout. When not set, <see cref="WsRestReconnectOptions.WaitForReady"/> decides (default false:
    /// such a request fails at once with <see cref="HttpRequestException"/>).
    /// </summary>
    public static readonly HttpRequestOptionsKey<bool> WaitForReady = new("WsRest.WaitForReady");
}
