using System.Collections.Concurrent;
using System.Text.Json.Serialization;
using Microsoft.Extensions.DependencyInjection;
using WsRest.Client;
using WsRest.Server;
using WsRest.Tests.Infrastructure;

namespace WsRest.Tests.PubSub;

/// <summary>The pub/sub guarantees of docs/pubsub.md, each over real sockets.</summary>
[TestFixture(WsRestEncoding.Binary)]
[TestFixture(WsRestEncoding.Json)]
public partial class PubSubTests(WsRestEncoding encoding)
{
    private static readonly TimeSpan Generous = TimeSpan.FromSeconds(30);

    [Test]
    public async Task EventsArriveSeriallyAndInPublishOrder()
    {
        await using var host = await TestHost.StartAsync(encoding, _ => { });
        var client = await host.ConnectAsync();
        var publisher = host.App.Services.GetRequiredService<IWsRestPublisher>();
        var seen = new ConcurrentQueue<long>();
        var running = 0;
        var overlapped = false;
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var subscription = await client.SubscribeAsync("pets/created", async (e, _) =>
        {
            overlapped |= Interlocked.Increment(ref running) > 1;
            await Task.Yield();
            seen.Enqueue(e.Sequence);
            Interlocked.Decrement(ref running);
            if (seen.Count == 200)
            {
                done.TrySetResult();
            }
        });

        // Publishers on several threads: the topic's sequence still defines one order for every subscriber.
        await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Task.Run(async () =>
        {
            for (var i = 0; i < 50; i++)
            {
                await publisher.PublishAsync("pets/created", new byte[] { 1 });
            }
        })));

        await done.Task.WaitAsync(Generous);
        Assert.That(seen, Is.EqualTo(Enumerable.Range(1, 200).Select(i => (long)i)));
        Assert.That(overlapped, Is.False, "never two events of one subscription at once");
    }

    [Test]
    public async Task ABlockedSubscriptionDoesNotBlockAnother()
    {
        await using var host = await TestHost.StartAsync(encoding, _ => { });
        var client = await host.ConnectAsync();
        var publisher = host.App.Services.GetRequiredService<IWsRestPublisher>();
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var blockedStarted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var other = new TaskCompletionSource<long>(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var slow = await client.SubscribeAsync("slow", async (_, _) =>
        {
            blockedStarted.TrySetResult();
            await gate.Task;
        });
        await using var fast = await client.SubscribeAsync("fast", (e, _) =>
        {
            other.TrySetResult(e.Sequence);
            return ValueTask.CompletedTask;
        });

        await publisher.PublishAsync("slow", new byte[] { 1 });
        await blockedStarted.Task.WaitAsync(Generous);
        await publisher.PublishAsync("fast", new byte[] { 2 });

        Assert.That(await other.Task.WaitAsync(Generous), Is.EqualTo(1));
        gate.SetResult();
    }

    [Test]
    public async Task UnsubscribeDeliversEveryEventPublishedBeforeIt()
    {
        await using var host = await TestHost.StartAsync(encoding, _ => { });
        var client = await host.ConnectAsync();
        var publisher = host.App.Services.GetRequiredService<IWsRestPublisher>();
        var seen = new ConcurrentQueue<long>();
        var subscription = await client.SubscribeAsync("pets/updated", async (e, token) =>
        {
            await Task.Delay(1, token); // a handler slower than the publisher, so events are still queued at the unsubscribe
            seen.Enqueue(e.Sequence);
        });

        for (var i = 0; i < 100; i++)
        {
            await publisher.PublishAsync("pets/updated", new byte[] { (byte)i });
        }

        await subscription.DisposeAsync();

        Assert.That(seen, Is.EqualTo(Enumerable.Range(1, 100).Select(i => (long)i)), "all 100 handled before DisposeAsync returned");
        await publisher.PublishAsync("pets/updated", new byte[] { 0 });
        Assert.That(seen, Has.Count.EqualTo(100), "nothing after the unsubscribe");
    }

    [Test]
    public async Task SubscribeAndUnsubscribeFromInsideAHandler()
    {
        await using var host = await TestHost.StartAsync(encoding, _ => { });
        var client = await host.ConnectAsync();
        var publisher = host.App.Services.GetRequiredService<IWsRestPublisher>();
        var second = new TaskCompletionSource<WsRestEvent>(TaskCreationOptions.RunContinuationsAsynchronously);
        WsRestSubscription? inner = null;
        WsRestSubscription? outer = null;
        var outerEvents = 0;
        var subscribed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        outer = await client.SubscribeAsync("a", async (_, token) =>
        {
            Interlocked.Increment(ref outerEvents);
            inner = await client.SubscribeAsync("b", (e, _) =>
            {
                second.TrySetResult(e);
                return ValueTask.CompletedTask;
            }, token);
            await outer!.DisposeAsync(); // from inside its own handler: returns without waiting for itself
            subscribed.TrySetResult();
        });

        await publisher.PublishAsync("a", new byte[] { 1 });
        await subscribed.Task.WaitAsync(Generous);
        await publisher.PublishAsync("b", new byte[] { 2 });
        Assert.That((await second.Task.WaitAsync(Generous)).Topic, Is.EqualTo("b"), "subscribed from inside a handler");

        // From outside, DisposeAsync waits for the server's acknowledgement; events after it are not delivered.
        await outer.DisposeAsync().AsTask().WaitAsync(Generous);
        await publisher.PublishAsync("a", new byte[] { 3 });
        await publisher.PublishAsync("b", new byte[] { 4 });
        Assert.That(outerEvents, Is.EqualTo(1), "the unsubscribed topic delivered nothing more");
        await inner!.DisposeAsync();
    }

    [Test]
    public async Task TypedJsonEventsRoundTrip()
    {
        await using var host = await TestHost.StartAsync(encoding, _ => { });
        var client = await host.ConnectAsync();
        var publisher = host.App.Services.GetRequiredService<IWsRestPublisher>();
        var received = new TaskCompletionSource<(PetEvent? Pet, string ContentType)>(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var subscription = await client.SubscribeAsync("pets/created", (e, _) =>
        {
            received.TrySetResult((e.GetFromJson(PubSubJson.Default.PetEvent), e.ContentType));
            return ValueTask.CompletedTask;
        });

        await publisher.PublishAsJsonAsync("pets/created", new PetEvent(7, "Rex"), PubSubJson.Default.PetEvent);

        var (pet, contentType) = await received.Task.WaitAsync(Generous);
        Assert.That(pet, Is.EqualTo(new PetEvent(7, "Rex")));
        Assert.That(contentType, Is.EqualTo("application/json"));
    }

    [Test]
    public async Task ClientsPublishOnlyWhereTheServerAllows()
    {
        await using var host = await TestHost.StartAsync(encoding, _ => { }, o => o.PubSub.AuthorizePublish = (_, topic) => topic.StartsWith("chat/", StringComparison.Ordinal));
        var listener = await host.ConnectAsync();
        var talker = await host.ConnectAsync();
        var heard = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var subscription = await listener.SubscribeAsync("chat/general", (e, _) =>
        {
            heard.TrySetResult(System.Text.Encoding.UTF8.GetString(e.Data.Span));
            return ValueTask.CompletedTask;
        });

        var sequence = await talker.PublishAsync("chat/general", "hi"u8.ToArray(), "text/plain");
        var denied = Assert.CatchAsync<UnauthorizedAccessException>(() => talker.PublishAsync("pets/created", "x"u8.ToArray()));

        Assert.That(sequence, Is.EqualTo(1));
        Assert.That(await heard.Task.WaitAsync(Generous), Is.EqualTo("hi"));
        Assert.That(denied!.Message, Does.Contain("pets/created"));
    }

    [Test]
    public async Task TheServerDecidesWhoMaySubscribe()
    {
        await using var host = await TestHost.StartAsync(encoding, _ => { }, o => o.PubSub.AuthorizeSubscribe = (connection, topic) => topic != "secret" || connection.Metadata.ContainsKey("admin"));
        var client = await host.ConnectAsync();
        var admin = await host.ConnectAsync(o => o.Metadata["admin"] = "yes");

        var denied = Assert.CatchAsync<UnauthorizedAccessException>(() => client.SubscribeAsync("secret", (_, _) => ValueTask.CompletedTask));
        await using var allowed = await admin.SubscribeAsync("secret", (_, _) => ValueTask.CompletedTask);

        Assert.That(denied!.Message, Does.Contain("secret"));
        Assert.That(allowed.Topic, Is.EqualTo("secret"));
    }

    [TestCase("")]
    [TestCase("/pets")]
    [TestCase("pets//created")]
    [TestCase("pets/created/")]
    [TestCase("pets created")]
    [TestCase("pets/*")]
    public async Task InvalidTopicsAreRejectedBeforeAnythingIsSent(string topic)
    {
        await using var host = await TestHost.StartAsync(encoding, _ => { });
        var client = await host.ConnectAsync();

        var error = Assert.CatchAsync<ArgumentException>(() => client.SubscribeAsync(topic, (_, _) => ValueTask.CompletedTask));

        Assert.That(error!.Message, Does.Contain("not a valid topic"));
        Assert.That(WsRestTopic.IsValid(new string('a', 257)), Is.False);
        Assert.That(WsRestTopic.IsValid("pets/created.v2_x-y"), Is.True);
    }

    public sealed record PetEvent(int Id, string Name);

    [JsonSerializable(typeof(PetEvent))]
    private sealed partial class PubSubJson : JsonSerializerContext;
}
