using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using WsRest.Client;
using WsRest.Server;
using WsRest.Server.PubSub;
using WsRest.Tests.Infrastructure;

namespace WsRest.Tests.PubSub;

/// <summary>
/// Topics are freed and bounded (issue 19, item 4): subscribing to and unsubscribing from ever new topic
/// names leaves no state behind, and past <see cref="WsRestPubSubOptions.MaxTopics"/> a new topic is
/// refused for that operation only, while a bystander keeps its subscription and its requests.
/// </summary>
public class TopicLimitTests
{
    private static readonly TimeSpan Generous = TimeSpan.FromSeconds(30);

    [Test]
    public async Task SubscribingToNewTopicNamesLeavesNothingBehind()
    {
        await using var host = await TestHost.StartAsync(app => app.MapGet("/ping", () => "pong"));
        var bus = (InMemoryEventBus)host.App.Services.GetRequiredService<IWsRestEventBus>();
        var attacker = await host.ConnectAsync();

        for (var i = 0; i < 2_000; i++)
        {
            var subscription = await attacker.SubscribeAsync($"noise/{i}", static (_, _) => ValueTask.CompletedTask).WaitAsync(Generous);
            await subscription.DisposeAsync().AsTask().WaitAsync(Generous);
        }

        // Subscriptions that end with their connection are freed too.
        for (var i = 0; i < 50; i++)
        {
            await attacker.SubscribeAsync($"held/{i}", static (_, _) => ValueTask.CompletedTask).WaitAsync(Generous);
        }

        Assert.That(bus.TopicCount, Is.EqualTo(50), "only the topics still subscribed are held");
        await attacker.DisposeAsync();
        await WaitUntilAsync(() => bus.TopicCount == 0);
        Assert.That(bus.TopicCount, Is.Zero);
    }

    [Test]
    public async Task ATopicWithEventsKeepsItsNumberingAfterItsLastSubscriberLeaves()
    {
        await using var host = await TestHost.StartAsync(_ => { });
        var publisher = host.App.Services.GetRequiredService<IWsRestPublisher>();
        var client = await host.ConnectAsync();
        await publisher.PublishAsync("kept", new byte[] { 1 });
        await publisher.PublishAsync("kept", new byte[] { 2 });

        var first = await client.SubscribeAsync("kept", static (_, _) => ValueTask.CompletedTask);
        await first.DisposeAsync();
        var third = await publisher.PublishAsync("kept", new byte[] { 3 });

        Assert.That(third, Is.EqualTo(3), "a resuming subscriber must never see the numbering restart");
    }

    [Test]
    public async Task TopicsBeyondTheServerLimitAreRefusedAndNothingElseIsLost()
    {
        await using var host = await TestHost.StartAsync(app => app.MapGet("/ping", () => "pong"), o => o.PubSub.MaxTopics = 10);
        var publisher = host.App.Services.GetRequiredService<IWsRestPublisher>();
        using var bystanderHttp = await host.CreateWsRestHttpClientAsync();
        var bystander = await host.ConnectAsync();
        var received = new TaskCompletionSource<WsRestEvent>(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var kept = await bystander.SubscribeAsync("news", (e, _) =>
        {
            received.TrySetResult(e);
            return ValueTask.CompletedTask;
        });
        var attacker = await host.ConnectAsync();
        for (var i = 0; i < 9; i++)
        {
            await attacker.SubscribeAsync($"filler/{i}", static (_, _) => ValueTask.CompletedTask);
        }

        var refused = Assert.ThrowsAsync<UnauthorizedAccessException>(async () => await attacker.SubscribeAsync("one-too-many", static (_, _) => ValueTask.CompletedTask));

        Assert.That(refused!.Message, Does.Contain("maximum number of pub/sub topics"));
        await publisher.PublishAsync("news", "hello"u8.ToArray());
        Assert.That((await received.Task.WaitAsync(Generous)).Sequence, Is.EqualTo(1), "the bystander's subscription still delivers");
        Assert.That(await bystanderHttp.GetStringAsync("/ping"), Is.EqualTo("pong"));
        Assert.That(attacker.State, Is.EqualTo(WsRestConnectionState.Connected), "a refused subscribe does not close the connection");
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        using var timeout = new CancellationTokenSource(Generous);
        while (!condition())
        {
            // Polls a counter the server changes when the connection's teardown runs; no event exposes it.
            await Task.Delay(10, timeout.Token);
        }
    }
}
