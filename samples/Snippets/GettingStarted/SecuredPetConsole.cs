using System.Net.Http.Json;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Snippets.GettingStarted;

/// <summary>The console client of docs/getting-started.md, "Authentication".</summary>
public static class SecuredPetConsole
{
    public static async Task<IHost> CreateHostAsync(string[] args)
    {
        var builder = Host.CreateApplicationBuilder(args);

        #region getting-started.auth-client
        // Sign in over plain HTTP first: the WebSocket upgrade itself needs the token.
        // { "PetStore": { "Server": "http://localhost:5000/", "Endpoint": "ws://localhost:5000/wsrest" } }
        using var http = new HttpClient { BaseAddress = new Uri(builder.Configuration["PetStore:Server"]!) };
        using var login = await http.PostAsJsonAsync("login", new Login("ada", "let-me-in"));
        var token = (await login.EnsureSuccessStatusCode().Content.ReadFromJsonAsync<BearerToken>())!.AccessToken;

        // ConfigureWebSocket runs before every connect and reconnect: read the current token there.
        builder.Services.AddWsRestClient("petstore")
            .BindConfiguration("PetStore")
            .Configure(o => o.ConfigureWebSocket = ws => ws.SetRequestHeader("Authorization", "Bearer " + token));
        builder.Services.AddHttpClient<PetsClient>().AddWebSocketTransport("petstore");
        #endregion

        return builder.Build();
    }
}
