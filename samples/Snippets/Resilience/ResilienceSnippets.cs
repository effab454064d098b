using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Http.Resilience;
using WsRest.Client;

namespace Snippets.Resilience;

/// <summary>The examples of docs/resilience.md.</summary>
public static class ResilienceSnippets
{
    public static void StandardResilience(IServiceCollection services)
    {
        #region resilience.retry
        services.AddHttpClient<InventoryClient>()
            .AddWebSocketTransport(o => o.Endpoint = new Uri("ws://localhost:5000/wsrest"))
            .AddStandardResilienceHandler(o => o.Retry.DisableForUnsafeHttpMethods()); // no blind retry of a POST that may have run
        #endregion
    }

    /// <summary>A typed client, as <c>AddHttpClient&lt;T&gt;</c> makes them.</summary>
    public sealed class InventoryClient(HttpClient http)
    {
        public Task<string> GetPetsAsync() => http.GetStringAsync("pets");
    }
}
