using Microsoft.AspNetCore.Mvc.Testing;
using WsRest.Client;
using WsRest.Ecosystem.Tests.Docs;
using WsRest.Ecosystem.Tests.Infrastructure;

namespace WsRest.Ecosystem.Tests.WebApplicationFactory;

/// <summary>
/// An app with <c>AddWsRest()</c> in its Program.cs, tested the usual way: <c>WebApplicationFactory&lt;Program&gt;</c>
/// and its in-memory TestServer, no port. The client connects through <c>TestServer.CreateWebSocketClient()</c>
/// (<see cref="WsRestClientOptions.WebSocketFactory"/>) and the app serves tunneled requests in the TestServer.
/// </summary>
[TestFixture]
public sealed class TestServerTests
{
    [Test]
    public async Task AWsRestClientCallsTheAppInTheInMemoryTestServer()
    {
        await using var factory = new WebApplicationFactory<Program>();
        await using var connection = HostingSnippets.ConnectToTestServer(factory);
        using var http = new HttpClient(new WebSocketMessageHandler(connection)) { BaseAddress = factory.Server.BaseAddress, Timeout = TestTimeout.Default };

        using (Assert.EnterMultipleScope())
        {
            Assert.That(await http.GetStringAsync(new Uri("/hello", UriKind.Relative)), Is.EqualTo("hello over WsRest"), "served through WsRest, not plain HTTP");
            Assert.That(await factory.CreateClient().GetStringAsync(new Uri("/hello", UriKind.Relative)), Is.EqualTo("hello over HTTP"), "the factory's own client still works");
        }
    }

    [Test]
    public async Task RequestBodiesStreamBothWaysInTheTestServer()
    {
        await using var factory = new WebApplicationFactory<Program>();
        await using var connection = HostingSnippets.ConnectToTestServer(factory);
        using var http = new HttpClient(new WebSocketMessageHandler(connection)) { BaseAddress = factory.Server.BaseAddress, Timeout = TestTimeout.Default };
        var body = new string('x', 300_000); // past the inline limit and the first flow-control window

        using var response = await http.PostAsync(new Uri("/echo", UriKind.Relative), new StringContent(body));

        Assert.That(await response.Content.ReadAsStringAsync(), Is.EqualTo(body));
    }

    [Test]
    public async Task TheFactorysServerIsStillTheTestServer()
    {
        await using var factory = new WebApplicationFactory<Program>();

        // WebApplicationFactory casts the registered IServer to TestServer: AddWsRest must not wrap it.
        Assert.That(factory.Server, Is.Not.Null);
        await using var connection = HostingSnippets.ConnectToTestServer(factory);
        using var timeout = new CancellationTokenSource(TestTimeout.Default);
        await connection.ConnectAsync(timeout.Token);
        Assert.That(connection.ConnectionId, Is.Not.Null);
    }
}
