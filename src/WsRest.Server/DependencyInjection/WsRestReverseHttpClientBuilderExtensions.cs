using WsRest.Server;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers <see cref="HttpClient"/>s that call into connected WsRest clients.</summary>
public static class WsRestReverseHttpClientBuilderExtensions
{
    /// <summary>
    /// Makes this named or typed client send into connected WsRest clients (reverse direction). Each
    /// request names its connection with <see cref="WsRestRequestOptions.ConnectionId"/>; use
    /// <see cref="WsRestReverseCallExtensions.CreateHttpClient(WsRestConnection, Uri?)"/> for a client bound to one connection instead.
    /// </summary>
    public static IHttpClientBuilder AddWsRestReverseTransport(this IHttpClientBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.ConfigurePrimaryHttpMessageHandler(services => services.GetRequiredService<WsRestConnectionRegistry>().CreateMessageHandler());
    }
}
