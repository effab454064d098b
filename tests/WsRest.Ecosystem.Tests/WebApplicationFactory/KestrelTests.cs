using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using WsRest.Client;
using WsRest.Ecosystem.Tests.Docs;
using WsRest.Ecosystem.Tests.Infrastructure;

namespace WsRest.Ecosystem.Tests.WebApplicationFactory;

/// <summary>
/// .NET 10's <c>WebApplicationFactory.UseKestrel()</c>: the factory registers Kestrel after Program.cs
/// called <c>AddWsRest()</c>. Without a second <c>AddWsRest()</c> the start fails and says so; with it
/// (<see cref="HostingSnippets.KestrelFactory"/>) WsRest serves on real sockets.
/// </summary>
[TestFixture]
public sealed class KestrelTests
{
    [Test]
    public async Task WithAddWsRestAfterTheFactorysServerAClientCallsTheAppOverASocket()
    {
        await using var factory = new HostingSnippets.KestrelFactory();
        factory.UseKestrel(0);
        factory.StartServer();
        var address = new Uri(factory.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());

        await using var connection = new WsRestClient(new WsRestClientOptions { Endpoint = new Uri($"ws://{address.Authority}/wsrest") });
        using var http = new HttpClient(new WebSocketMessageHandler(connection)) { BaseAddress = address, Timeout = TestTimeout.Default };

        using (Assert.EnterMultipleScope())
        {
            Assert.That(await http.GetStringAsync(new Uri("/hello", UriKind.Relative)), Is.EqualTo("hello over WsRest"));
            Assert.That(await factory.CreateClient().GetStringAsync(new Uri("/hello", UriKind.Relative)), Is.EqualTo("hello over HTTP"));
        }
    }

    [Test]
    public async Task WithoutItTheStartFailsAndSaysWhatToDo()
    {
        await using var factory = new WebApplicationFactory<Program>();
        factory.UseKestrel(0);

        var error = Assert.Throws<InvalidOperationException>(factory.StartServer);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(error!.Message, Does.Contain("registered after AddWsRest"));
            Assert.That(error.Message, Does.Contain("builder.ConfigureServices(services => services.AddWsRest())"));
        }
    }
}
