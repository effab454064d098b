using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using WsRest.Server;

namespace Snippets.GettingStarted;

/// <summary>The server of docs/getting-started.md: its <c>Program.cs</c>, returned instead of run so tests can start it.</summary>
public static class PetServer
{
    public static WebApplication Create(string[] args)
    {
        #region getting-started.server
        var builder = WebApplication.CreateBuilder(args);
        builder.Services.AddWsRest();                    // after CreateBuilder: WsRest wraps Kestrel
        var app = builder.Build();

        var pets = new ConcurrentDictionary<int, Pet>();
        app.MapGet("/pets/{id}", (int id) => pets.TryGetValue(id, out var pet) ? Results.Ok(pet) : Results.NotFound());
        app.MapPost("/pets", async (Pet pet, IWsRestPublisher publisher) =>
        {
            pets[pet.Id] = pet;
            await publisher.PublishAsJsonAsync("pets/created", pet);   // an event to every subscribed client
            return Results.Created($"/pets/{pet.Id}", pet);
        });

        app.MapWsRest("/wsrest");                        // the WebSocket endpoint
        #endregion

        #region getting-started.server-reverse
        // Calls into a connected client, by its connection id.
        app.MapGet("/clients/{id}/status", async (string id, WsRestConnectionRegistry registry) =>
        {
            if (!registry.TryGetConnection(id, out var connection))
            {
                return Results.NotFound();
            }

            using var client = connection.CreateHttpClient();
            return Results.Text(await client.GetStringAsync("/status"));
        });
        #endregion

        return app;
    }
}
