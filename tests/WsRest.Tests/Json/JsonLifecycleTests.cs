using System.Net.WebSockets;
using Microsoft.AspNetCore.Builder;
using WsRest.Tests.Infrastructure;

namespace WsRest.Tests.Json;

/// <summary>Heartbeat (§13.5) and GOAWAY on shutdown (§6.2) on a <c>wsrest.v1.json</c> connection, seen by a bare WebSocket.</summary>
public class JsonLifecycleTests
{
    [Test]
    public async Task TheServerPingsAnIdleConnectionAndAPongKeepsItAlive()
    {
        await using var host = await TestHost.StartAsync(
            app => app.MapGet("/ping", () => "pong"),
            o =>
            {
                o.KeepAliveInterval = TimeSpan.FromMilliseconds(200);
                o.KeepAliveTimeout = TimeSpan.FromSeconds(30);
            });
        await using var socket = await JsonSocket.OpenAsync(host.WsRestEndpoint);
        var welcome = await socket.HandshakeAsync();
        Assert.That((int?)welcome["s"]!["hb"], Is.EqualTo(200));

        for (var i = 0; i < 2; i++)
        {
            var ping = await socket.NextAsync();
            Assert.That((string?)ping["t"], Is.EqualTo("ping"), ping.ToJsonString());
            Assert.That((string?)ping["p"], Does.Match("^[0-9a-f]{16}$"));
            await socket.SendAsync($$"""{"t":"pong","p":"{{(string?)ping["p"]}}"}""");
        }

        await socket.SendAsync("""{"uid":1,"m":"GET","r":"/ping"}""");
        JsonAssert.Contains("""{"uid":1,"c":200}""", await socket.NextAsync(f => f.ContainsKey("c")));
    }

    [Test]
    public async Task ShutdownSendsGoAwayAndClosesWithGoingAway()
    {
        var host = await TestHost.StartAsync(app => app.MapGet("/ping", () => "pong"));
        await using var socket = await JsonSocket.OpenAsync(host.WsRestEndpoint);
        await socket.HandshakeAsync();
        await socket.SendAsync("""{"uid":1,"m":"GET","r":"/ping"}""");
        await socket.NextAsync(f => (bool?)f["e"] != false && ((string?)f["t"] == "data" || f.ContainsKey("c")));

        var stopping = host.DisposeAsync().AsTask();
        var (status, frames) = await socket.ReceiveUntilCloseAsync();
        await stopping.WaitAsync(TimeSpan.FromSeconds(60));
        var goAway = frames.Single(f => (string?)f["t"] == "goaway");
        JsonAssert.Contains("""{"t":"goaway","last":1,"code":9}""", goAway);
        Assert.That(status, Is.EqualTo(WebSocketCloseStatus.EndpointUnavailable));
    }
}
