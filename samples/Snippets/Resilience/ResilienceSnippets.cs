using WsRest.Client;

namespace Snippets.Resilience;

/// <summary>The examples of docs/resilience.md.</summary>
public static class ResilienceSnippets
{
    public static async Task<string> RetryAsync(WsRestClient client)
    {
        #region resilience.retry
        var retry = new RetryOnConnectionErrorHandler { InnerHandler = new WebSocketMessageHandler(client) };
        using var http = new HttpClient(retry) { BaseAddress = new Uri("http://petstore/") };
        var pets = await http.GetStringAsync("pets");   // survives a dropped connection
        #endregion

        return pets;
    }
}
