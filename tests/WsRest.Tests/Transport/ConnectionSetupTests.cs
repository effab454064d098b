using System.Net;
using System.Net.Http;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using WsRest.Client;
using WsRest.Protocol;
using WsRest.Tests.Infrastructure;

namespace WsRest.Tests.Transport;

/// <summary>
/// The cheaper connection set-up (issue 17, docs/benchmarks.md "Connection set-up and idle memory")
/// keeps every rule of the handshake: a handshake receive starts with a small buffer and grows, so
/// a large HELLO still arrives whole and an oversize one is still refused; the server's single
/// cancellation source for its handshake receives still ends a handshake whose client vanished and
/// gives its place in the limits back; a request sent right after connecting is served.
/// </summary>
public class ConnectionSetupTests
{
    private TestHost _host = null!;

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        _host = await TestHost.StartAsync(app => app.MapGet("/ping", () => "pong"));
    }

    [OneTimeTearDown]
    public async Task StopAsync() => await _host.DisposeAsync();

    [Test]
    public async Task AHelloLargerThanTheFirstReceiveBufferArrivesWhole()
    {
        // About 3 KB of metadata (under the default 4 KiB limit): three times the first buffer a
        // handshake receive rents, so the HELLO is read across a grown buffer.
        var value = string.Concat(Enumerable.Range(0, 300).Select(i => $"{i % 10}abcdefghi"));
        await using var client = new WsRestClient(new WsRestClientOptions { Endpoint = _host.WsRestEndpoint, Metadata = { ["big"] = value, ["small"] = "x" } });
        var connection = await ConnectAndFindAsync(client);

        Assert.That(connection.Metadata["big"], Is.EqualTo(value));
        Assert.That(connection.Metadata["small"], Is.EqualTo("x"));
    }

    [Test]
    public async Task AConnectionWithoutMetadataListsNone()
    {
        await using var client = new WsRestClient(new WsRestClientOptions { Endpoint = _host.WsRestEndpoint });
        var connection = await ConnectAndFindAsync(client);

        Assert.That(connection.Metadata, Is.Empty);
    }

    /// <summary>
    /// Connects and returns the server's side of the connection. The client is done when it has sent
    /// READY; the server lists the connection once it has read it, so the registry is watched for it.
    /// </summary>
    private async Task<WsRest.Server.WsRestConnection> ConnectAndFindAsync(WsRestClient client)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await using var events = _host.Registry.WatchAsync(timeout.Token).GetAsyncEnumerator(timeout.Token);
        await client.ConnectAsync(timeout.Token);
        while (await events.MoveNextAsync())
        {
            if (events.Current.Kind == WsRest.Server.WsRestConnectionEventKind.Connected && events.Current.Connection.Id == client.ConnectionId)
            {
                return events.Current.Connection;
            }
        }

        throw new AssertionException("The registry's watch ended before the connection was listed.");
    }

    [Test]
    public async Task AHandshakeMessageOverTheLimitIsStillRefusedWithMessageTooLarge()
    {
        await using var raw = await RawConnection.OpenAsync(_host.WsRestEndpoint, handshake: false);

        // Over the 64 KiB handshake bound: the receive grows its buffer up to the bound and no further.
        await raw.SendBytesAsync(new byte[(64 * 1024) + 100]);

        var (code, _) = await raw.ReceiveUntilClosedAsync();
        Assert.That(code, Is.EqualTo(WsRestErrorCode.MessageTooLarge));
    }

    [Test]
    public async Task AClientThatVanishesDuringTheHandshakeGivesItsPlaceBack()
    {
        // Its own host: both places of MaxConnections taken by upgrades that never send HELLO. The
        // handshake timeout (60 s) is far away, so only the lost connections can end their handshakes.
        await using var host = await TestHost.StartAsync(
            app => app.MapGet("/ping", () => "pong"),
            o =>
            {
                o.MaxConnections = 2;
                o.HandshakeTimeout = TimeSpan.FromSeconds(60);
            });
        var first = await RawConnection.OpenAsync(host.WsRestEndpoint, handshake: false);
        var second = await RawConnection.OpenAsync(host.WsRestEndpoint, handshake: false);
        await using (var refused = new WsRestClient(new WsRestClientOptions { Endpoint = host.WsRestEndpoint }))
        {
            var error = Assert.ThrowsAsync<HttpRequestException>(() => refused.ConnectAsync());
            Assert.That(error!.StatusCode, Is.EqualTo(HttpStatusCode.ServiceUnavailable));
        }

        first.Socket.Abort();
        second.Socket.Abort();
        await first.DisposeAsync();
        await second.DisposeAsync();

        // The server learns of the lost sockets asynchronously: try until a connection is admitted.
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (true)
        {
            await using var client = new WsRestClient(new WsRestClientOptions { Endpoint = host.WsRestEndpoint });
            try
            {
                await client.ConnectAsync(deadline.Token);
                using var http = new HttpClient(new WebSocketMessageHandler(client)) { BaseAddress = host.HttpAddress };
                Assert.That(await http.GetStringAsync("/ping", deadline.Token), Is.EqualTo("pong"));
                return;
            }
            catch (HttpRequestException ex) when (ex.StatusCode == HttpStatusCode.ServiceUnavailable && !deadline.IsCancellationRequested)
            {
                await Task.Delay(50, deadline.Token);
            }
        }
    }

    [Test]
    public async Task ARequestSentRightAfterConnectingIsServed()
    {
        // No ConnectAsync first: the request itself connects, and goes out right after READY.
        await using var client = new WsRestClient(new WsRestClientOptions { Endpoint = _host.WsRestEndpoint });
        using var http = new HttpClient(new WebSocketMessageHandler(client)) { BaseAddress = _host.HttpAddress, Timeout = TimeSpan.FromSeconds(30) };

        Assert.That(await http.GetStringAsync("/ping"), Is.EqualTo("pong"));
    }
}
