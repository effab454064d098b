using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using WsRest;
using WsRest.Client;
using WsRest.Server;

namespace Snippets.PubSub;

/// <summary>The examples of docs/pubsub.md.</summary>
public static class PubSubSnippets
{
    public static void MapPublishingEndpoint(WebApplication app)
    {
        #region pubsub.publish
        // Server: publish from anywhere in the app through the IWsRestPublisher service.
        app.MapPut("/pets/{id}", async (int id, Pet pet, IWsRestPublisher publisher) =>
        {
            // ... store the change ...
            var sequence = await publisher.PublishAsJsonAsync("pets/updated", pet);   // camelCase JSON (JsonSerializerOptions.Web)
            return Results.Ok(new { sequence });
        });
        #endregion
    }

    public static async Task<WsRestSubscription> SubscribeAsync(WsRestClient client, Action<Pet?> show)
    {
        #region pubsub.subscribe
        // Client: completes once the server has acknowledged; from then on every event reaches the handler.
        var subscription = await client.SubscribeAsync("pets/updated", (e, cancellationToken) =>
        {
            if (e.Kind == WsRestEventKind.Gap)
            {
                Console.WriteLine($"lost events #{e.GapFrom}..#{e.GapTo}: reload the list");
            }
            else
            {
                show(e.GetFromJson<Pet>(JsonSerializerOptions.Web));
            }

            return ValueTask.CompletedTask;
        });
        #endregion

        return subscription;
    }

    public static async Task<long> PublishBytesAsync(IWsRestPublisher publisher, byte[] utf8Json)
    {
        #region pubsub.publish-bytes
        var sequence = await publisher.PublishAsync("prices/ACME", utf8Json, "application/json");
        #endregion

        return sequence;
    }

    public static void AllowClientsToPublish(IServiceCollection services)
    {
        #region pubsub.authorize-publish
        // Server: clients may publish on chat/... topics only.
        services.AddWsRest(o => o.PubSub.AuthorizePublish = (connection, topic) => topic.StartsWith("chat/", StringComparison.Ordinal));
        #endregion
    }

    public static async Task ClientPublishAsync(WsRestClient client)
    {
        #region pubsub.client-publish
        try
        {
            var sequence = await client.PublishAsync("chat/general", "hi"u8.ToArray(), "text/plain");
            Console.WriteLine($"published as #{sequence}");
        }
        catch (UnauthorizedAccessException e)
        {
            Console.WriteLine($"refused: {e.Message}");   // the server's AuthorizePublish said no
        }
        #endregion
    }

    public static void AllowSubscribers(IServiceCollection services)
    {
        #region pubsub.authorize-subscribe
        // Server: anyone may subscribe, except to admin/... topics, which need the upgrade's user to be an admin.
        services.AddWsRest(o => o.PubSub.AuthorizeSubscribe = (connection, topic) =>
            !topic.StartsWith("admin/", StringComparison.Ordinal) || connection.User.IsInRole("admin"));
        #endregion
    }

    public static async Task UnsubscribeAsync(WsRestClient client, Func<WsRestEvent, CancellationToken, Task> applyAsync)
    {
        #region pubsub.unsubscribe
        var subscription = await client.SubscribeAsync("pets/updated", async (e, cancellationToken) => await applyAsync(e, cancellationToken));
        // ...
        await subscription.DisposeAsync();   // returns once every event queued before the server's acknowledgement was handled
        #endregion
    }

    public static async Task<WsRestSubscription> OnceAsync(WsRestClient client)
    {
        #region pubsub.unsubscribe-from-handler
        // Handle one event, then stop: the handler may run before SubscribeAsync returns, so it waits for the subscription.
        var subscribed = new TaskCompletionSource<WsRestSubscription>(TaskCreationOptions.RunContinuationsAsynchronously);
        var subscription = await client.SubscribeAsync("deploys/finished", async (e, cancellationToken) =>
        {
            Console.WriteLine($"deploy #{e.Sequence} finished");
            await (await subscribed.Task).DisposeAsync();   // from inside its own handler: returns without waiting for itself
        });
        subscribed.SetResult(subscription);
        #endregion

        return subscription;
    }

    public static void ServerQueues(IServiceCollection services)
    {
        #region pubsub.server-options
        services.AddWsRest(o =>
        {
            o.PubSub.ReplayBufferSize = 10_000;           // events kept per topic for subscribers that resume after a reconnect
            o.PubSub.ConnectionQueueCapacity = 10_000;    // events one slow connection may have waiting
        });
        #endregion
    }

    public static WsRestClient ClientQueue()
    {
        #region pubsub.client-options
        var client = new WsRestClient(new WsRestClientOptions
        {
            Endpoint = new Uri("ws://localhost:5000/wsrest"),
            SubscriptionQueueCapacity = 10_000,           // events one slow handler may have waiting
        });
        #endregion

        return client;
    }
}
