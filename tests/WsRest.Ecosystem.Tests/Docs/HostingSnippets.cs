using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using WsRest.Client;

namespace WsRest.Ecosystem.Tests.Docs;

/// <summary>
/// The WebApplicationFactory code docs/ecosystem.md shows, compiled here and run by the tests in
/// WebApplicationFactory/ (tests/WsRest.Client.Tests/Docs/DocSnippetTests.cs checks the guide quotes it).
/// </summary>
internal static class HostingSnippets
{
    /// <summary>A WsRest connection into the factory's in-memory TestServer: no port, no socket.</summary>
    public static WsRestClient ConnectToTestServer(WebApplicationFactory<Program> factory)
    {
        return new WsRestClient(new WsRestClientOptions
        {
            Endpoint = new UriBuilder(factory.Server.BaseAddress) { Scheme = "ws", Path = "/wsrest" }.Uri,
            WebSocketFactory = async (context, cancellationToken) =>
            {
                var webSockets = factory.Server.CreateWebSocketClient();
                webSockets.SubProtocols.Add(context.SubProtocol);
                return await webSockets.ConnectAsync(context.Endpoint, cancellationToken);
            },
        });
    }

    /// <summary>For <c>factory.UseKestrel()</c>: WsRest wraps the server the factory registered after Program.cs.</summary>
    public sealed class KestrelFactory : WebApplicationFactory<Program>
    {
        protected override IHost CreateHost(IHostBuilder builder)
        {
            builder.ConfigureServices(services => services.AddWsRest());
            return base.CreateHost(builder);
        }
    }
}
