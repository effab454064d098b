using Microsoft.Extensions.DependencyInjection;
using PetStore.Client;
using WsRest.Client;

namespace PetStore.Demo;

/// <summary>Registers the NSwag-generated PetStore client so that it sends over WsRest.</summary>
public static class PetStoreServices
{
    /// <summary>The name of the WsRest connection the client uses (see <see cref="IWsRestClientProvider.GetClient"/>).</summary>
    public const string ConnectionName = "petstore";

    /// <summary>
    /// Adds the generated <see cref="IPetStoreClient"/> as a typed client whose requests travel over one
    /// WsRest connection to <paramref name="wsEndpoint"/> (e.g. <c>ws://127.0.0.1:5080/wsrest</c>).
    /// </summary>
    public static IServiceCollection AddPetStoreClient(this IServiceCollection services, Uri wsEndpoint)
    {
        // Quoted in docs/ecosystem.md (a test keeps the two in step).
        services.AddHttpClient<IPetStoreClient, PetStoreClient>(http => http.Timeout = TimeSpan.FromSeconds(30))
            .AddWebSocketTransport(ConnectionName, o => o.Endpoint = wsEndpoint);
        return services;
    }
}
