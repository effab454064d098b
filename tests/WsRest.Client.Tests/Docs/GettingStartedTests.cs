using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Snippets;
using Snippets.GettingStarted;
using Snippets.PubSub;
using WsRest.Client.Tests.Infrastructure;

namespace WsRest.Client.Tests.Docs;

/// <summary>
/// docs/getting-started.md and docs/pubsub.md as a reader runs them: the server and the console
/// client of samples/Snippets, over real sockets on 127.0.0.1, configured as the page says (command
/// line arguments stand in for appsettings.json).
/// </summary>
[TestFixture]
public sealed class GettingStartedTests
{
    /// <summary>Kestrel on a free loopback port; only warnings in the test output.</summary>
    private static readonly string[] ServerArgs = ["--urls=http://127.0.0.1:0", "--Logging:LogLevel:Default=Warning"];

    [Test]
    public async Task TheServerTheTypedClientEventsAndTheReverseCallWork()
    {
        using var timeout = TestTimeout.Create();
        await using var server = PetServer.Create(ServerArgs);
        await server.StartAsync(timeout.Token);
        var address = new Uri(server.Urls.First());
        using var console = ConsoleLines.Capture();
        using var client = PetConsole.CreateHost([$"--PetStore:Endpoint=ws://{address.Authority}/wsrest", "--Logging:LogLevel:Default=Warning"]);
        await client.StartAsync(timeout.Token);

        var connectionId = await PetConsole.ConnectAsync(client);
        await using var subscription = await PetConsole.SubscribeAsync(client);
        var rex = await PetConsole.UseTypedClientAsync(client);
        var created = await console.WaitForAsync(l => l.StartsWith("pets/created", StringComparison.Ordinal)).WaitAsync(timeout.Token);
        using var http = new HttpClient { BaseAddress = address };
        var status = await http.GetStringAsync(new Uri($"clients/{connectionId}/status", UriKind.Relative), timeout.Token);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(await console.WaitForAsync(l => l.StartsWith("connected as ", StringComparison.Ordinal)), Is.EqualTo($"connected as {connectionId}"));
            Assert.That(rex, Is.EqualTo(new Pet(1, "Rex")), "the typed client's POST and GET");
            Assert.That(created, Is.EqualTo("pets/created #1: Pet { Id = 1, Name = Rex }"), "the event, decoded with the publisher's JSON defaults");
            Assert.That(status, Is.EqualTo("idle"), "the server called the client over its WebSocket");
        }

        await client.StopAsync(timeout.Token);
    }

    [Test]
    public async Task TheUpgradeNeedsTheTokenFromTheSignIn()
    {
        using var timeout = TestTimeout.Create();
        await using var server = SecuredPetServer.Create(ServerArgs);
        await server.StartAsync(timeout.Token);
        var address = new Uri(server.Urls.First());
        var endpoint = new Uri($"ws://{address.Authority}/wsrest");
        using var client = await SecuredPetConsole.CreateHostAsync([$"--PetStore:Server={address}", $"--PetStore:Endpoint={endpoint}", "--Logging:LogLevel:Default=Warning"]);
        await client.StartAsync(timeout.Token);
        await using var anonymous = new WsRestClient(new WsRestClientOptions { Endpoint = endpoint });

        var connection = client.Services.GetRequiredService<IWsRestClientProvider>().GetClient("petstore");
        using var http = new HttpClient(new WebSocketMessageHandler(connection)) { BaseAddress = address };
        var me = await http.GetStringAsync(new Uri("me", UriKind.Relative), timeout.Token);
        var refused = Assert.CatchAsync<HttpRequestException>(() => anonymous.ConnectAsync(timeout.Token));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(me, Is.EqualTo("ada"), "a request over the WebSocket runs as the user who signed in");
            Assert.That(refused!.Message, Does.Contain("401").Or.Contain("Unauthorized"), "an upgrade without the token is refused");
        }

        await client.StopAsync(timeout.Token);
    }

    [Test]
    public async Task AnUpdatePublishedByTheServerReachesTheSubscriberAsAPet()
    {
        using var timeout = TestTimeout.Create();
        var builder = WebApplication.CreateBuilder(ServerArgs);
        builder.Services.AddWsRest();
        await using var server = builder.Build();
        PubSubSnippets.MapPublishingEndpoint(server);
        server.MapWsRest("/wsrest");
        await server.StartAsync(timeout.Token);
        var address = new Uri(server.Urls.First());
        await using var client = new WsRestClient(new WsRestClientOptions { Endpoint = new Uri($"ws://{address.Authority}/wsrest") });
        var shown = new TaskCompletionSource<Pet?>(TaskCreationOptions.RunContinuationsAsynchronously);

        await using var subscription = await PubSubSnippets.SubscribeAsync(client, pet => shown.TrySetResult(pet));
        using var http = new HttpClient { BaseAddress = address };
        using var response = await http.PutAsync(new Uri("pets/7", UriKind.Relative), System.Net.Http.Json.JsonContent.Create(new Pet(7, "Tom")), timeout.Token);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(response.IsSuccessStatusCode, Is.True);
            Assert.That(await shown.Task.WaitAsync(timeout.Token), Is.EqualTo(new Pet(7, "Tom")));
        }
    }

    [TestCase(true)]
    [TestCase(false)]
    public async Task AClientPublishesWhereTheServerAllows(bool allow)
    {
        using var timeout = TestTimeout.Create();
        var builder = WebApplication.CreateBuilder(ServerArgs);
        if (allow)
        {
            PubSubSnippets.AllowClientsToPublish(builder.Services);
        }
        else
        {
            builder.Services.AddWsRest();   // the default: no client may publish
        }

        await using var server = builder.Build();
        server.MapWsRest("/wsrest");
        await server.StartAsync(timeout.Token);
        await using var client = new WsRestClient(new WsRestClientOptions { Endpoint = new Uri($"ws://{new Uri(server.Urls.First()).Authority}/wsrest") });
        using var console = ConsoleLines.Capture();

        await PubSubSnippets.ClientPublishAsync(client).WaitAsync(timeout.Token);

        var printed = await console.WaitForAsync(l => l.StartsWith("published as", StringComparison.Ordinal) || l.StartsWith("refused: ", StringComparison.Ordinal));

        Assert.That(printed, allow ? Is.EqualTo("published as #1") : Does.StartWith("refused: ").And.Contain("chat/general"));
    }
}
