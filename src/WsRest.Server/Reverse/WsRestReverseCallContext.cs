namespace WsRest.Server;

/// <summary>What <see cref="WsRestServerOptions.AuthorizeReverseCall"/> decides on: who calls which client with what.</summary>
/// <param name="Connection">The client connection the request would go to.</param>
/// <param name="Request">The request (method, URI, headers).</param>
/// <param name="Caller">The caller name the client will see.</param>
public sealed record WsRestReverseCallContext(WsRestConnection Connection, HttpRequestMessage Request, string Caller);
