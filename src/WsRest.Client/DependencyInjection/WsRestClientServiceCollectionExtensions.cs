using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using WsRest.Client;
using WsRest.Client.DependencyInjection;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Declares WsRest client connections that dependency injection owns.</summary>
public static class WsRestClientServiceCollectionExtensions
{
    /// <summary>
    /// Declares the WsRest connection <paramref name="connectionName"/>: one shared
    /// <see cref="WsRestClient"/>, created on first use and disposed with the container. Every
    /// <see cref="HttpClient"/> registered with <c>AddWebSocketTransport(connectionName)</c> sends over it,
    /// and <see cref="IWsRestClientProvider.GetClient"/> returns it.
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <param name="connectionName">The connection's name; its options are the named <see cref="WsRestClientOptions"/> of that name.</param>
    /// <returns>
    /// The builder of the connection's options, already validated at start (<c>ValidateOnStart</c>), to
    /// configure them further, e.g. <c>.BindConfiguration("WsRest:PetStore")</c>.
    /// </returns>
    /// <exception cref="InvalidOperationException">An HttpClient registered without a connection name already uses <paramref name="connectionName"/> as its name (their options would be mixed up).</exception>
    public static OptionsBuilder<WsRestClientOptions> AddWsRestClient(this IServiceCollection services, string connectionName)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentException.ThrowIfNullOrEmpty(connectionName);
        AddCore(services);
        var declared = false;
        foreach (var descriptor in services)
        {
            if (descriptor.IsKeyedService)
            {
                continue;
            }

            switch (descriptor.ImplementationInstance)
            {
                case WsRestNamedConnection connection when connection.Name == connectionName:
                    declared = true;
                    break;
                case WsRestHttpClientBinding { ConnectionName: null } binding when binding.HttpClientName == connectionName:
                    throw NameClash(connectionName);
            }
        }

        if (!declared)
        {
            services.AddSingleton(new WsRestNamedConnection(connectionName));
        }

        return services.AddOptions<WsRestClientOptions>(connectionName).ValidateOnStart();
    }

    /// <summary>Registers what every WsRest client registration needs once: the registry and the options validator.</summary>
    internal static void AddCore(IServiceCollection services)
    {
        services.TryAddSingleton<WsRestClientRegistry>();
        services.TryAddSingleton<IWsRestClientProvider>(static sp => sp.GetRequiredService<WsRestClientRegistry>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<WsRestClientOptions>, WsRestClientOptionsValidator>());
    }

    /// <summary>Whether <paramref name="name"/> is a declared connection name.</summary>
    internal static bool IsConnectionName(IServiceCollection services, string name)
        => services.Any(d => !d.IsKeyedService && d.ImplementationInstance is WsRestNamedConnection c && c.Name == name);

    internal static InvalidOperationException NameClash(string name)
        => new($"'{name}' is both a WsRest connection name and the name of an HttpClient registered with AddWebSocketTransport without a connection name; " +
               $"both would configure the WsRestClientOptions named '{name}'. Rename one, or let that HttpClient use the connection: AddWebSocketTransport(\"{name}\").");
}
