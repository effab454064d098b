namespace WsRest.Server;

/// <summary>Per-request options for calls from the server into a connected client (docs/reverse.md).</summary>
public static class WsRestRequestOptions
{
    /// <summary>
    /// The connection to send the request to, for an <see cref="HttpClient"/> built with
    /// <c>AddWsRestReverseTransport()</c> (one client for all connections, chosen per request).
    /// </summary>
    public static readonly HttpRequestOptionsKey<string> ConnectionId = new("WsRest.ConnectionId");

    /// <summary>
    /// Who is calling, as the client will see it (the <c>wsrest-caller</c> header and, in a tunneled
    /// app, <c>HttpContext.User.Identity.Name</c>). Default: <see cref="WsRestServerOptions.ServerName"/>.
    /// </summary>
    public static readonly HttpRequestOptionsKey<string> Caller = new("WsRest.Caller");
}
