using System.Net;
using System.Net.Http;
using System.Net.WebSockets;

namespace WsRest.Client;

/// <summary>
/// The <see cref="HttpMessageInvoker"/> the WebSocket upgrade is sent through when the caller named
/// none: the handler <see cref="ClientWebSocket"/> would build for itself, except that it does not
/// follow redirects. <c>ClientWebSocket</c>'s own handler follows them, so <c>UseHttpsRedirection</c>
/// on the server turned <c>ws://</c> into a TLS connection to another port whose failure read
/// "could not connect" (issue 18); browsers do not follow an upgrade's redirect either (RFC 6455
/// §4.1 leaves it to the client). A refused redirect then surfaces with its status and Location.
/// </summary>
internal static class UpgradeInvoker
{
    // ClientWebSocket's default proxy (a private sentinel meaning "the system proxy"): the only proxy a
    // custom invoker accepts besides null.
    private static readonly IWebProxy? s_defaultProxy = CreateDefaultProxy();

    private static HttpMessageInvoker? s_systemProxy;
    private static HttpMessageInvoker? s_noProxy;

    /// <summary>
    /// The invoker for <paramref name="options"/>, or null when they hold settings only
    /// <c>ClientWebSocket</c>'s own handler applies (credentials, certificates, cookies, a proxy):
    /// <c>ConnectAsync</c> refuses those with a custom invoker, so they keep its default behaviour.
    /// </summary>
    public static HttpMessageInvoker? For(ClientWebSocketOptions options)
    {
        if (options.Credentials is not null || options.UseDefaultCredentials || options.Cookies is not null
            || options.RemoteCertificateValidationCallback is not null || options.ClientCertificates.Count > 0)
        {
            return null;
        }

        if (options.Proxy is null)
        {
            return s_noProxy ??= Create(useProxy: false);
        }

        return ReferenceEquals(options.Proxy, s_defaultProxy) ? s_systemProxy ??= Create(useProxy: true) : null;
    }

    // Shared, as ClientWebSocket shares its default handler; a pooled lifetime of zero gives every
    // upgrade its own connection, which the WebSocket then owns.
    private static HttpMessageInvoker Create(bool useProxy) => new(new SocketsHttpHandler
    {
        AllowAutoRedirect = false,
        PooledConnectionLifetime = TimeSpan.Zero,
        UseCookies = false,
        UseProxy = useProxy,
    });

    private static IWebProxy? CreateDefaultProxy()
    {
        using var socket = new ClientWebSocket();
        return socket.Options.Proxy;
    }
}
