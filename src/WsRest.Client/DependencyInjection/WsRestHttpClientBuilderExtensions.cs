using System.Diagnostics.CodeAnalysis;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;
using WsRest.Client;
using WsRest.Client.DependencyInjection;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>
/// Sends a named or typed <see cref="HttpClient"/> from <c>IHttpClientFactory</c> over WsRest: its
/// primary handler becomes a <see cref="WebSocketMessageHandler"/> over one shared, DI-owned
/// <see cref="WsRestClient"/>.
/// </summary>
/// <remarks>
/// <para>
/// The factory may rotate handlers as often as <c>SetHandlerLifetime</c> says: the handler does not
/// own the connection, so rotation never opens a new WebSocket and never drops requests in flight.
/// The connection is created on the first request (or <see cref="IWsRestClientProvider"/> call) and
/// disposed with the service provider.
/// </para>
/// <para>
/// Which connection: <c>AddWebSocketTransport(connectionName)</c> uses the named connection (see
/// <see cref="WsRestClientServiceCollectionExtensions.AddWsRestClient"/>); without a name, the client's
/// options are the named <see cref="WsRestClientOptions"/> of the HttpClient's name, and every client
/// that names the same endpoint shares one connection (its name is the endpoint's absolute URI).
/// </para>
/// <para>
/// Unless the HttpClient has a <see cref="HttpClient.BaseAddress"/>, it gets <c>http://host:port/</c>
/// (or <c>https://</c> for <c>wss://</c>) of the endpoint, so relative request URIs (as in generated
/// OpenAPI clients) work. Only the path and query of a request are sent over WsRest.
/// </para>
/// </remarks>
public static class WsRestHttpClientBuilderExtensions
{
    /// <summary>
    /// Sends this client over WsRest, on the connection shared by every client that names the same
    /// endpoint. The options are the named <see cref="WsRestClientOptions"/> of the HttpClient's name,
    /// validated at start.
    /// </summary>
    /// <param name="builder">The HttpClient's builder.</param>
    /// <param name="configure">Sets the options, at least <see cref="WsRestClientOptions.Endpoint"/>; null when they are configured elsewhere (e.g. bound from configuration).</param>
    /// <returns>The builder, for chaining.</returns>
    public static IHttpClientBuilder AddWebSocketTransport(this IHttpClientBuilder builder, Action<WsRestClientOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var options = AddHttpClientOptions(builder, configurationPath: null);
        if (configure is not null)
        {
            options.Configure(configure);
        }

        return builder;
    }

    /// <summary>
    /// Sends this client over WsRest, on the connection shared by every client that names the same
    /// endpoint, with options bound from <paramref name="configuration"/> (e.g.
    /// <c>builder.Configuration.GetSection("WsRest:PetStore")</c>: <c>Endpoint</c> as a string,
    /// <c>Metadata</c> as a section, sizes as numbers, timeouts as <c>hh:mm:ss</c>), validated at start.
    /// </summary>
    /// <param name="builder">The HttpClient's builder.</param>
    /// <param name="configuration">The configuration section holding the options.</param>
    /// <param name="configure">Adjusts the options after binding (e.g. <see cref="WsRestClientOptions.ConfigureWebSocket"/>), or null.</param>
    /// <returns>The builder, for chaining.</returns>
    [RequiresUnreferencedCode("Binds WsRestClientOptions from configuration by reflection.")]
    [RequiresDynamicCode("Binds WsRestClientOptions from configuration by reflection.")]
    public static IHttpClientBuilder AddWebSocketTransport(this IHttpClientBuilder builder, IConfiguration configuration, Action<WsRestClientOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(configuration);
        var options = AddHttpClientOptions(builder, (configuration as IConfigurationSection)?.Path);
        options.Bind(configuration);
        if (configure is not null)
        {
            options.Configure(configure);
        }

        return builder;
    }

    /// <summary>
    /// Sends this client over the WsRest connection named <paramref name="connectionName"/>, shared by
    /// every client that names it. Declares the connection if needed (as
    /// <see cref="WsRestClientServiceCollectionExtensions.AddWsRestClient"/> does); its options are the
    /// named <see cref="WsRestClientOptions"/> of that name, validated at start.
    /// </summary>
    /// <param name="builder">The HttpClient's builder.</param>
    /// <param name="connectionName">The connection's name.</param>
    /// <param name="configure">Configures the connection's options (adds to any other configuration of that name), or null.</param>
    /// <returns>The builder, for chaining.</returns>
    public static IHttpClientBuilder AddWebSocketTransport(this IHttpClientBuilder builder, string connectionName, Action<WsRestClientOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrEmpty(connectionName);
        var options = builder.Services.AddWsRestClient(connectionName);
        if (configure is not null)
        {
            options.Configure(configure);
        }

        return UseWsRest(builder, new WsRestHttpClientBinding(builder.Name, connectionName, ConfigurationPath: null));
    }

    private static OptionsBuilder<WsRestClientOptions> AddHttpClientOptions(IHttpClientBuilder builder, string? configurationPath)
    {
        if (WsRestClientServiceCollectionExtensions.IsConnectionName(builder.Services, builder.Name))
        {
            throw WsRestClientServiceCollectionExtensions.NameClash(builder.Name);
        }

        UseWsRest(builder, new WsRestHttpClientBinding(builder.Name, ConnectionName: null, configurationPath));
        return builder.Services.AddOptions<WsRestClientOptions>(builder.Name).ValidateOnStart();
    }

    private static IHttpClientBuilder UseWsRest(IHttpClientBuilder builder, WsRestHttpClientBinding binding)
    {
        WsRestClientServiceCollectionExtensions.AddCore(builder.Services);
        builder.Services.AddSingleton(binding);
        var name = builder.Name;
        builder.ConfigurePrimaryHttpMessageHandler(sp => new WebSocketMessageHandler(sp.GetRequiredService<WsRestClientRegistry>().GetClientForHttpClient(name)));
        builder.ConfigureHttpClient((sp, http) => http.BaseAddress ??= ToHttpBaseAddress(sp.GetRequiredService<WsRestClientRegistry>().GetEndpoint(name)));
        return builder;
    }

    private static Uri ToHttpBaseAddress(Uri endpoint)
        => new UriBuilder(endpoint)
        {
            Scheme = endpoint.Scheme == "wss" ? Uri.UriSchemeHttps : Uri.UriSchemeHttp,
            Path = "/",
            Query = string.Empty,
            Fragment = string.Empty,
        }.Uri;
}
