using WsRest.Server;
using System.Diagnostics;
using System.Net;
using WsRest.Redis.Tests.Infrastructure;

namespace WsRest.Redis.Tests.Reverse;

[Parallelizable(ParallelScope.None)]
public sealed class CrossNodeReverseCallTests
{
    [Test]
    public async Task AReverseCallFromAReachesAClientOnCWithA16MiBStreamedResponse()
    {
        await using var cluster = await Cluster.StartAsync(configureWsRest: o => o.ServerName = "api");
        var kiosk = new Kiosk();
        var client = await cluster.C.ConnectAsync(o => o.HandleRequests(kiosk.HandleAsync));
        await WaitListedAsync(cluster, client.ConnectionId!);

        using var http = cluster.A.Registry.CreateHttpClient(client.ConnectionId!);
        using var response = await http.GetAsync("big", HttpCompletionOption.ResponseHeadersRead);
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        await using (var body = await response.Content.ReadAsStreamAsync())
        {
            Assert.That(await PatternStream.VerifyAsync(body), Is.EqualTo(Kiosk.BigLength));
        }

        Assert.That(await http.GetStringAsync("whoami"), Is.EqualTo("api"), "the owning node stamps the caller");
        await Eventually.WaitAsync(() => Task.FromResult(Router(cluster.A).ActiveCalls + Router(cluster.C).ActiveCalls), n => n == 0, "both sides forget finished calls");
    }

    [Test]
    public async Task ACallerThatDoesNotReadHoldsTheOwnerToTheWindowInsteadOfBufferingTheBody()
    {
        await using var cluster = await Cluster.StartAsync();
        var kiosk = new Kiosk();
        var client = await cluster.C.ConnectAsync(o => o.HandleRequests(kiosk.HandleAsync));
        await WaitListedAsync(cluster, client.ConnectionId!);
        using var http = cluster.A.Registry.CreateHttpClient(client.ConnectionId!);
        using var response = await http.GetAsync("big", HttpCompletionOption.ResponseHeadersRead);

        await Eventually.WaitAsync(() => Task.FromResult(Router(cluster.C).CallsWaitingForCredit), n => n == 1, "the owning node waits for the caller's credit");

        // The window (8 x 64 KiB in Redis) plus the WsRest stream window and read buffers: far from 16 MiB.
        Assert.That(kiosk.LastBig!.Produced, Is.LessThan(4 * 1024 * 1024));
        await using var body = await response.Content.ReadAsStreamAsync();
        Assert.That(await PatternStream.VerifyAsync(body), Is.EqualTo(Kiosk.BigLength), "and it resumes when the caller reads");
    }

    [Test]
    public async Task ARequestBodyStreamsToTheOwningNodeAndTheTransportFactoryWorksAcrossNodes()
    {
        await using var cluster = await Cluster.StartAsync();
        var kiosk = new Kiosk();
        var client = await cluster.C.ConnectAsync(o => o.HandleRequests(kiosk.HandleAsync));
        await WaitListedAsync(cluster, client.ConnectionId!);
        var payload = Enumerable.Range(0, 1024 * 1024 + 17).Select(i => (byte)(i * 7)).ToArray();

        using var http = new HttpClient(cluster.B.Registry.CreateMessageHandler()) { BaseAddress = new Uri("http://kiosk/") };
        using var request = new HttpRequestMessage(HttpMethod.Post, "echo") { Content = new ByteArrayContent(payload) };
        request.Options.Set(WsRest.Server.WsRestRequestOptions.ConnectionId, client.ConnectionId!);
        using var response = await http.SendAsync(request);

        Assert.Multiple(async () =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Created));
            Assert.That(response.Headers.GetValues("x-length").Single(), Is.EqualTo(payload.Length.ToString(System.Globalization.CultureInfo.InvariantCulture)));
            Assert.That(await response.Content.ReadAsByteArrayAsync(), Is.EqualTo(payload));
        });
    }

    [Test]
    public async Task CancellingOnTheCallingNodeCancelsTheHandlerOnTheClientOfAnotherNode()
    {
        await using var cluster = await Cluster.StartAsync();
        var kiosk = new Kiosk();
        var client = await cluster.C.ConnectAsync(o => o.HandleRequests(kiosk.HandleAsync));
        await WaitListedAsync(cluster, client.ConnectionId!);

        using var http = cluster.A.Registry.CreateHttpClient(client.ConnectionId!);
        using var cancel = new CancellationTokenSource();
        var call = http.GetAsync("wait", cancel.Token);
        await kiosk.WaitStarted.Task.WaitAsync(Cluster.Generous);
        await cancel.CancelAsync();

        Assert.That(async () => await call, Throws.InstanceOf<OperationCanceledException>());
        await kiosk.WaitCancelled.Task.WaitAsync(Cluster.Generous);
        await Eventually.WaitAsync(() => Task.FromResult(Router(cluster.C).ActiveCalls), n => n == 0, "the owning node ends the cancelled call");
    }

    [Test]
    public async Task AnUnknownConnectionFailsAtOnce()
    {
        await using var cluster = await Cluster.StartAsync();
        using var http = cluster.A.Registry.CreateHttpClient("0123456789abcdef0123456789abcdef");
        var clock = Stopwatch.StartNew();

        var error = Assert.ThrowsAsync<HttpRequestException>(() => http.GetAsync("anything"));

        Assert.That(error!.Message, Does.Contain("no open WsRest connection").And.Contain("0123456789abcdef0123456789abcdef"));
        Assert.That(error.HttpRequestError, Is.EqualTo(HttpRequestError.ConnectionError));
        Assert.That(clock.Elapsed, Is.LessThan(TimeSpan.FromSeconds(5)), "at once, not after a timeout (HttpClient's is 100 s)");
    }

    [Test]
    public async Task TheOwningNodeKilledMidCallFailsTheCallWithinTheNodeTimeout()
    {
        var timeout = TimeSpan.FromSeconds(1);
        await using var cluster = await Cluster.StartAsync(o =>
        {
            o.HeartbeatInterval = TimeSpan.FromMilliseconds(200);
            o.NodeTimeout = timeout;
        });
        var kiosk = new Kiosk();
        var client = await cluster.C.ConnectAsync(o => o.HandleRequests(kiosk.HandleAsync));
        await WaitListedAsync(cluster, client.ConnectionId!);
        using var http = cluster.A.Registry.CreateHttpClient(client.ConnectionId!);
        using var response = await http.GetAsync("big", HttpCompletionOption.ResponseHeadersRead);
        await using var body = await response.Content.ReadAsStreamAsync();
        var read = await PatternStream.VerifyAsync(body, stopAfter: 1024 * 1024);
        Assert.That(read, Is.GreaterThanOrEqualTo(1024 * 1024));

        await cluster.C.KillAsync();
        var clock = Stopwatch.StartNew();
        var error = Assert.CatchAsync<IOException>(() => PatternStream.VerifyAsync(body, offset: read));

        // Slack for a loaded machine; without the node timeout the read would wait for the caller's 100 s.
        Assert.That(clock.Elapsed, Is.LessThan(timeout + TimeSpan.FromSeconds(5)), "bounded by NodeTimeout plus one heartbeat interval");
        Assert.That(error!.Message, Does.Contain("Node C"));
    }

    [Test]
    public async Task TheConnectionClosingMidCallFailsTheCallOnTheCallingNode()
    {
        await using var cluster = await Cluster.StartAsync();
        var kiosk = new Kiosk();
        var client = await cluster.C.ConnectAsync(o =>
        {
            o.HandleRequests(kiosk.HandleAsync);
            o.Reconnect.Enabled = false;
        });
        await WaitListedAsync(cluster, client.ConnectionId!);
        using var http = cluster.A.Registry.CreateHttpClient(client.ConnectionId!);
        using var response = await http.GetAsync("big", HttpCompletionOption.ResponseHeadersRead);
        await using var body = await response.Content.ReadAsStreamAsync();
        var read = await PatternStream.VerifyAsync(body, stopAfter: 1024 * 1024);

        cluster.C.Registry.Connections.Single().Abort();

        var error = Assert.CatchAsync<IOException>(() => PatternStream.VerifyAsync(body, offset: read));
        Assert.That(error!.Message, Does.Contain("node C"));
    }

    private static WsRest.Redis.Reverse.CallRouter Router(ClusterNode node)
        => Microsoft.Extensions.DependencyInjection.ServiceProviderServiceExtensions.GetRequiredService<WsRest.Redis.Reverse.CallRouter>(node.App.Services);

    private static Task<WsRest.Server.WsRestClusterConnection?> WaitListedAsync(Cluster cluster, string connectionId)
        => Eventually.WaitAsync(async () => await cluster.A.ClusterRegistry.FindAsync(connectionId), c => c is not null, "the connection is in the cluster registry");
}
