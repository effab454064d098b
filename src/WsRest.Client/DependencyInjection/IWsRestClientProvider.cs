namespace WsRest.Client;

/// <summary>
/// Hands out the <see cref="WsRestClient"/> connections that dependency injection owns: one shared
/// client per connection, created on first use (not yet connected) and disposed with the container.
/// Registered by <c>AddWebSocketTransport</c> and <c>AddWsRestClient</c>.
/// </summary>
/// <remarks>
/// A connection is identified by its name: the name given to <c>AddWsRestClient(name)</c> or
/// <c>AddWebSocketTransport(name)</c>, or, for an <see cref="HttpClient"/> that named no connection,
/// its endpoint's absolute URI (e.g. <c>ws://localhost:5000/wsrest</c>), so every such client that
/// names the same endpoint shares one WebSocket.
/// </remarks>
public interface IWsRestClientProvider
{
    /// <summary>The shared client of the connection named <paramref name="connectionName"/>.</summary>
    /// <param name="connectionName">A registered connection name, or the absolute endpoint URI of clients registered without a name.</param>
    /// <exception cref="InvalidOperationException">No such connection is registered.</exception>
    /// <exception cref="Microsoft.Extensions.Options.OptionsValidationException">The connection's options are invalid.</exception>
    /// <exception cref="ObjectDisposedException">The container was disposed.</exception>
    WsRestClient GetClient(string connectionName);

    /// <summary>The shared client that the <see cref="HttpClient"/> named <paramref name="httpClientName"/> sends through.</summary>
    /// <param name="httpClientName">The name given to <c>AddHttpClient</c>; for a typed client, the type's name (e.g. <c>PetStoreClient</c>).</param>
    /// <exception cref="InvalidOperationException">
    /// <c>AddWebSocketTransport</c> was not called for that client, or it shares its endpoint's connection
    /// with a client whose options differ.
    /// </exception>
    /// <exception cref="Microsoft.Extensions.Options.OptionsValidationException">The client's options are invalid.</exception>
    /// <exception cref="ObjectDisposedException">The container was disposed.</exception>
    WsRestClient GetClientForHttpClient(string httpClientName);
}
