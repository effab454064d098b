namespace WsRest.Server;

/// <summary>
/// Sends a reverse call to a connection this node does not hold (docs/scale-out.md). The registry's
/// handlers (<see cref="WsRestReverseCallExtensions.CreateHttpClient(WsRestConnectionRegistry, string, Uri?)"/>, <c>AddWsRestReverseTransport</c>)
/// call it only for a connection id they do not find locally; without one registered, such a call
/// fails at once. <c>WsRest.Redis</c> registers one that forwards to the owning node.
/// </summary>
public interface IWsRestReverseCallForwarder
{
    /// <summary>
    /// Sends <paramref name="request"/> to connection <paramref name="connectionId"/> on whichever node
    /// holds it; the owning node applies its <see cref="WsRestServerOptions.AuthorizeReverseCall"/> and
    /// stamps <paramref name="caller"/>. Fails with <see cref="HttpRequestException"/> when no node holds it.
    /// </summary>
    Task<HttpResponseMessage> SendAsync(string connectionId, string caller, HttpRequestMessage request, CancellationToken cancellationToken);
}
