using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using WsRest.Server;
using WsRest.Server.Hosting;
using WsRest.Tests.Infrastructure;

namespace WsRest.Tests.Transport;

/// <summary>How AddWsRest registers the server.</summary>
public class RegistrationTests
{
    [Test]
    public async Task CallingAddWsRestTwiceDecoratesTheServerOnceAndAppliesBothConfigurations()
    {
        await using var host = await TestHost.StartAsync(
            app => app.MapGet("/ping", () => "pong"),
            o => o.MaxConcurrentStreams = 7,
            builder => builder.Services.AddWsRest(o => o.ServerName = "first call"));

        var server = host.App.Services.GetRequiredService<IServer>();
        Assert.That(server, Is.TypeOf<WsRestServerDecorator>());
        Assert.That(((WsRestServerDecorator)server).Inner, Is.Not.TypeOf<WsRestServerDecorator>(), "the server is wrapped once");
        var options = host.App.Services.GetRequiredService<IOptions<WsRestServerOptions>>().Value;
        Assert.That((options.ServerName, options.MaxConcurrentStreams), Is.EqualTo(("first call", 7)));

        using var http = await host.CreateWsRestHttpClientAsync();
        Assert.That(await http.GetStringAsync("/ping"), Is.EqualTo("pong"));
    }
}
