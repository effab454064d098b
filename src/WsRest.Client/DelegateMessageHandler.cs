namespace WsRest.Client;

/// <summary>An <see cref="HttpMessageHandler"/> over a delegate, for <see cref="WsRestClientOptions.HandleRequests"/>.</summary>
internal sealed class DelegateMessageHandler(Func<HttpRequestMessage, CancellationToken, Task<HttpResponseMessage>> handler) : HttpMessageHandler
{
    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        => handler(request, cancellationToken);
}
