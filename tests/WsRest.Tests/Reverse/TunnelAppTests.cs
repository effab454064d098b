using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using WsRest.Client;
using WsRest.Server;
using WsRest.Tests.Infrastructure;

namespace WsRest.Tests.Reverse;

/// <summary>A complete ASP.NET Core app runs on the side that dialed out, with no listening port.</summary>
public class TunnelAppTests
{
    private static readonly TimeSpan Generous = TimeSpan.FromSeconds(30);

    [Test]
    public async Task AFullAppBehindTheTunnelAnswersTheServerWithItsOwnPipeline()
    {
        await using var host = await TestHost.StartAsync(_ => { }, o => o.ServerName = "petstore");
        await using var events = host.Registry.WatchAsync().GetAsyncEnumerator();
        await using var kiosk = await StartKioskAsync(host.WsRestEndpoint);
        Assert.That(await events.MoveNextAsync().AsTask().WaitAsync(Generous), Is.True);
        var connection = events.Current.Connection;
        Assert.That(connection.Metadata["role"], Is.EqualTo("kiosk"));

        using var http = connection.CreateHttpClient();

        // Minimal API + DI + middleware of the tunneled app.
        using var status = await http.GetAsync("/status");
        Assert.That(status.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(await status.Content.ReadAsStringAsync(), Is.EqualTo("{\"screen\":\"idle\",\"caller\":\"petstore\"}"));
        Assert.That(status.Headers.GetValues("x-kiosk-middleware").Single(), Is.EqualTo("ran"));

        // Authorization on the tunneled side sees who calls: the server's name passes, another caller does not.
        using var display = await http.PostAsync("/display", new StringContent("Rex is on sale"));
        Assert.That(display.StatusCode, Is.EqualTo(HttpStatusCode.NoContent));
        Assert.That(await http.GetStringAsync("/screen"), Is.EqualTo("Rex is on sale"));
        using var stranger = new HttpRequestMessage(HttpMethod.Post, "/display") { Content = new StringContent("hacked") };
        stranger.Options.Set(WsRestRequestOptions.Caller, "someone-else");
        using var denied = await http.SendAsync(stranger);
        Assert.That(denied.StatusCode, Is.EqualTo(HttpStatusCode.Forbidden));
        Assert.That(await http.GetStringAsync("/screen"), Is.EqualTo("Rex is on sale"));

        // The tunneled app can call the server through the same socket.
        var tunnelClient = kiosk.Services.GetRequiredService<WsRestClient>();
        Assert.That(tunnelClient.ConnectionId, Is.EqualTo(connection.Id));
    }

    [Test]
    public async Task TheTunnelReconnectsAndServesAgainAfterTheConnectionDrops()
    {
        await using var host = await TestHost.StartAsync(_ => { });
        await using var proxy = FaultProxy.Start(host.WsRestEndpoint);
        await using var events = host.Registry.WatchAsync().GetAsyncEnumerator();
        await using var kiosk = await StartKioskAsync(proxy.WsUri("/wsrest"));
        Assert.That(await events.MoveNextAsync().AsTask().WaitAsync(Generous), Is.True);
        var first = events.Current.Connection;

        proxy.ResetAll();

        WsRestConnection second;
        do
        {
            Assert.That(await events.MoveNextAsync().AsTask().WaitAsync(Generous), Is.True);
            second = events.Current.Connection;
        }
        while (events.Current.Kind != WsRestConnectionEventKind.Connected);

        Assert.That(second.Id, Is.Not.EqualTo(first.Id));
        Assert.That(second.PreviousConnectionId, Is.EqualTo(first.Id));
        using var http = second.CreateHttpClient();
        Assert.That((await http.GetAsync("/status")).StatusCode, Is.EqualTo(HttpStatusCode.OK));
    }

    [Test]
    public async Task StoppingTheTunneledAppDrainsAndDoesNotReconnect()
    {
        await using var host = await TestHost.StartAsync(_ => { });
        await using var registry = host.Registry.WatchAsync().GetAsyncEnumerator();
        var kiosk = await StartKioskAsync(host.WsRestEndpoint);
        var client = kiosk.Services.GetRequiredService<WsRestClient>();
        var kinds = new List<WsRestClientEventKind>();
        client.ConnectionEvent += (_, e) =>
        {
            lock (kinds)
            {
                kinds.Add(e.Kind);
            }
        };
        Assert.That(await registry.MoveNextAsync().AsTask().WaitAsync(Generous), Is.True);

        await kiosk.StopAsync();
        await kiosk.DisposeAsync();

        Assert.That(await registry.MoveNextAsync().AsTask().WaitAsync(Generous), Is.True);
        Assert.That(registry.Current.Kind, Is.EqualTo(WsRestConnectionEventKind.Closed), "a clean close, not a failure");
        Assert.That(client.State, Is.EqualTo(WsRestConnectionState.Closed));
        lock (kinds)
        {
            Assert.That(kinds, Does.Not.Contain(WsRestClientEventKind.Reconnecting));
        }
    }

    /// <summary>A small kiosk app: its own DI, middleware, minimal APIs and an authorization policy on the caller.</summary>
    private static async Task<WebApplication> StartKioskAsync(Uri endpoint)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseWsRestTunnel(o =>
        {
            o.Endpoint = endpoint;
            o.Metadata["role"] = "kiosk";
            o.Reconnect.InitialDelay = TimeSpan.FromMilliseconds(50);
            o.Reconnect.MaxDelay = TimeSpan.FromMilliseconds(200);
        });
        builder.Services.AddSingleton<Screen>();
        builder.Services.AddAuthentication(WsRestTunnelAuthenticationBuilderExtensions.SchemeName).AddWsRestTunnelCaller();
        builder.Services.AddAuthorization(o => o.AddPolicy("from-petstore", p => p.RequireAuthenticatedUser().RequireAssertion(c => c.User.Identity?.Name is "petstore" or "server")));
        var app = builder.Build();
        app.Use(async (context, next) =>
        {
            context.Response.Headers["x-kiosk-middleware"] = "ran";
            await next(context);
        });
        app.UseAuthentication();
        app.UseAuthorization();
        app.MapGet("/status", (Screen screen, HttpContext context) => Results.Json(new { screen = screen.Text, caller = context.User.Identity?.Name }));
        app.MapGet("/screen", (Screen screen) => screen.Text);
        app.MapPost("/display", async (Screen screen, HttpRequest request) =>
        {
            using var reader = new StreamReader(request.Body);
            screen.Text = await reader.ReadToEndAsync();
            return Results.NoContent();
        }).RequireAuthorization("from-petstore");
        await app.StartAsync();
        return app;
    }

    private sealed class Screen
    {
        public string Text { get; set; } = "idle";
    }
}
