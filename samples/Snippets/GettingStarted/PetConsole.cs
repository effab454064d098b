using System.Net;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using WsRest.Client;

namespace Snippets.GettingStarted;

/// <summary>
/// The console client of docs/getting-started.md, one method per step of the page, so that tests can
/// run the steps against <see cref="PetServer"/>. In an app they are one <c>Program.cs</c>.
/// </summary>
public static class PetConsole
{
    public static IHost CreateHost(string[] args)
    {
        #region getting-started.client
        var builder = Host.CreateApplicationBuilder(args);

        // One WebSocket, named "petstore"; its options bind from configuration (appsettings.json):
        // { "PetStore": { "Endpoint": "ws://localhost:5000/wsrest" } }
        builder.Services.AddWsRestClient("petstore").BindConfiguration("PetStore");

        // A typed client whose requests go over that WebSocket.
        builder.Services.AddHttpClient<PetsClient>().AddWebSocketTransport("petstore");
        #endregion

        #region getting-started.client-serve
        // Answer the server's calls into this client (URIs arrive as http://localhost/<path>).
        builder.Services.AddWsRestClient("petstore").Configure(o => o.HandleRequests((request, cancellationToken) =>
            Task.FromResult(request.RequestUri?.AbsolutePath == "/status"
                ? new HttpResponseMessage(HttpStatusCode.OK) { Content = new StringContent("idle") }
                : new HttpResponseMessage(HttpStatusCode.NotFound))));
        #endregion

        return builder.Build();
    }

    public static async Task<Pet?> UseTypedClientAsync(IHost host)
    {
        #region getting-started.typed-client
        var pets = host.Services.GetRequiredService<PetsClient>();
        await pets.AddAsync(new Pet(1, "Rex"));             // POST /pets over the WebSocket
        var rex = await pets.GetAsync(1);                  // GET /pets/1, same socket
        #endregion

        return rex;
    }

    public static async Task<WsRestSubscription> SubscribeAsync(IHost host)
    {
        #region getting-started.events
        var connection = host.Services.GetRequiredService<IWsRestClientProvider>().GetClient("petstore");
        var subscription = await connection.SubscribeAsync("pets/created", (e, cancellationToken) =>
        {
            var pet = e.GetFromJson<Pet>(JsonSerializerOptions.Web);
            Console.WriteLine($"pets/created #{e.Sequence}: {pet}");
            return ValueTask.CompletedTask;
        });
        #endregion

        return subscription;
    }

    public static async Task<string?> ConnectAsync(IHost host)
    {
        #region getting-started.connect
        var petstore = host.Services.GetRequiredService<IWsRestClientProvider>().GetClient("petstore");
        await petstore.ConnectAsync();                      // optional: the first request connects too
        Console.WriteLine($"connected as {petstore.ConnectionId}");
        #endregion

        return petstore.ConnectionId;
    }
}
