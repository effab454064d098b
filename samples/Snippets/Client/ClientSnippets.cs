using System.Net.Http.Json;
using WsRest.Client;

namespace Snippets.Client;

/// <summary>The examples of docs/client.md.</summary>
public static class ClientSnippets
{
    public static async Task<Pet?> OneConnectionAsync(Func<string> getToken)
    {
        #region client.connection
        await using var connection = new WsRestClient(new WsRestClientOptions
        {
            Endpoint = new Uri("ws://localhost:5000/wsrest"),
            Metadata = { ["app"] = "inventory", ["version"] = "1.4.2" },     // shown in the server's registry
            ConfigureWebSocket = ws => ws.SetRequestHeader("Authorization", "Bearer " + getToken()),   // authenticates the upgrade
        });
        await connection.ConnectAsync();              // optional: the first request connects too
        Console.WriteLine(connection.ConnectionId);   // 32 hex digits assigned by the server

        using var http = new HttpClient(new WebSocketMessageHandler(connection)) { BaseAddress = new Uri("http://localhost:5000/") };
        var pet = await http.GetFromJsonAsync<Pet>("pets/1");   // over the WebSocket
        #endregion

        return pet;
    }
}
