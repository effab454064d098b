using System.Collections.Concurrent;
using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using WsRest.Client.Tests.Infrastructure;

namespace WsRest.Client.Tests;

/// <summary>
/// <c>IHttpClientFactory</c> rotates and disposes handlers; the WsRest connection outlives them: no
/// second socket, no request dropped.
/// </summary>
[TestFixture]
public sealed class HandlerRotationTests : ProbeServerTests
{
    [Test]
    public async Task RotationAndDisposalOfExpiredHandlersKeepOneConnectionAndEveryRequest()
    {
        var chains = new HandlerChainProbe();
        var builder = TestHost.CreateBuilder();
        builder.Services.AddSingleton(chains);
        builder.Services.AddTransient<CountingHandler>();
        builder.Services.AddHttpClient<ConnectionProbeClient>()
            .SetHandlerLifetime(TimeSpan.FromSeconds(1)) // the factory's minimum
            .AddHttpMessageHandler<CountingHandler>()
            .AddWebSocketTransport(o => o.Endpoint = Probe.Endpoint);
        await using var host = await TestHost.StartAsync(builder);
        using var timeout = TestTimeout.Create();

        // Keep slow requests in flight the whole time (each spans a rotation) and send quick ones in
        // between, each time from a new typed client, until the factory has built several handler
        // chains and disposed at least one expired chain (its cleanup runs every 10 s and disposes a
        // chain once the HttpClients that used it were collected).
        var inFlight = new List<Task<string>>();
        var ids = new ConcurrentBag<string>();
        var started = Stopwatch.StartNew();
        while (chains.Created < 3 || chains.Disposed < 1)
        {
            Assert.That(started.Elapsed, Is.LessThan(TimeSpan.FromSeconds(45)), $"The factory built {chains.Created} chains and disposed {chains.Disposed}.");
            await SendBatchAsync(host, inFlight, ids, timeout.Token);
            GC.Collect();
            GC.WaitForPendingFinalizers();
            await Task.Delay(100, timeout.Token);
        }

        var disposedWhileInFlight = inFlight.Count(t => !t.IsCompleted);
        foreach (var id in await Task.WhenAll(inFlight))
        {
            ids.Add(id);
        }

        var connection = host.Get<IWsRestClientProvider>().GetClientForHttpClient(nameof(ConnectionProbeClient));
        using (Assert.EnterMultipleScope())
        {
            Assert.That(disposedWhileInFlight, Is.Positive, "requests were in flight when the expired chain was disposed");
            Assert.That(ids.Distinct(), Is.EqualTo(new[] { connection.ConnectionId }), "every request went over the one connection");
            Assert.That(Probe.Upgrades, Is.EqualTo(1), "rotation never opened another WebSocket");
            Assert.That(connection.State, Is.EqualTo(WsRestConnectionState.Connected));
        }
    }

    [Test]
    public async Task DisposingAHandlerLeavesItsRequestsInFlightAndTheConnectionAlone()
    {
        var builder = TestHost.CreateBuilder();
        builder.Services.AddHttpClient<ConnectionProbeClient>().AddWebSocketTransport(o => o.Endpoint = Probe.Endpoint);
        await using var host = await TestHost.StartAsync(builder);
        using var timeout = TestTimeout.Create();
        var connection = host.Get<IWsRestClientProvider>().GetClientForHttpClient(nameof(ConnectionProbeClient));

        var handler = new WebSocketMessageHandler(connection);
        var invoker = new HttpMessageInvoker(handler, disposeHandler: true);
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(Probe.HttpAddress, "slow?ms=500"));
        var pending = invoker.SendAsync(request, timeout.Token);
        invoker.Dispose();

        using var response = await pending;
        var id = await response.Content.ReadAsStringAsync(timeout.Token);
        var next = await host.Get<ConnectionProbeClient>().GetConnectionIdAsync(timeout.Token);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(response.IsSuccessStatusCode, Is.True);
            Assert.That(id, Is.EqualTo(connection.ConnectionId));
            Assert.That(next, Is.EqualTo(connection.ConnectionId));
            Assert.That(connection.State, Is.EqualTo(WsRestConnectionState.Connected));
        }
    }

    private static async Task SendBatchAsync(TestHost host, List<Task<string>> inFlight, ConcurrentBag<string> ids, CancellationToken cancellationToken)
    {
        var client = host.Get<ConnectionProbeClient>();
        inFlight.Add(client.GetConnectionIdSlowlyAsync(TimeSpan.FromMilliseconds(1500), cancellationToken));
        for (var i = 0; i < 5; i++)
        {
            ids.Add(await client.GetConnectionIdAsync(cancellationToken));
        }
    }

    /// <summary>Counts the handler chains the factory builds and disposes.</summary>
    private sealed class HandlerChainProbe
    {
        private int _created;
        private int _disposed;

        public int Created => Volatile.Read(ref _created);

        public int Disposed => Volatile.Read(ref _disposed);

        public void OnCreated() => Interlocked.Increment(ref _created);

        public void OnDisposed() => Interlocked.Increment(ref _disposed);
    }

    /// <summary>The outer handler of each chain: created once per chain, disposed with it.</summary>
    private sealed class CountingHandler : DelegatingHandler
    {
        private readonly HandlerChainProbe _probe;
        private int _disposed;

        public CountingHandler(HandlerChainProbe probe)
        {
            _probe = probe;
            probe.OnCreated();
        }

        protected override void Dispose(bool disposing)
        {
            if (disposing && Interlocked.Exchange(ref _disposed, 1) == 0)
            {
                _probe.OnDisposed();
            }

            base.Dispose(disposing);
        }
    }
}
