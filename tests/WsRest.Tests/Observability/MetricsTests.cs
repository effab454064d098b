using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.AspNetCore.Builder;
using WsRest.Client;
using WsRest.Diagnostics;
using WsRest.Server;
using WsRest.Tests.Infrastructure;

namespace WsRest.Tests.Observability;

/// <summary>The "WsRest" meter reports connections, requests both ways, streams, bytes and batching.</summary>
public class MetricsTests
{
    [Test]
    public async Task RequestsConnectionsStreamsAndBytesAreMeasured()
    {
        using var recorder = new MeasurementRecorder();
        await using var host = await TestHost.StartAsync(app => app.MapGet("/ping", () => "pong"));
        var client = await host.ConnectAsync(o => o.HandleRequests((_, _) => Task.FromResult(new HttpResponseMessage(System.Net.HttpStatusCode.Accepted))));
        using var http = new HttpClient(new WebSocketMessageHandler(client)) { BaseAddress = host.HttpAddress };
        for (var i = 0; i < 5; i++)
        {
            Assert.That(await http.GetStringAsync("/ping"), Is.EqualTo("pong"));
        }

        var connection = await Reverse.ReverseCallTests.RegisteredAsync(host, client);
        using var reverse = connection.CreateHttpClient();
        Assert.That((await reverse.GetAsync("/status")).StatusCode, Is.EqualTo(System.Net.HttpStatusCode.Accepted));

        Assert.That(recorder.Sum("wsrest.connection.active", ("wsrest.role", "client")), Is.EqualTo(1));
        Assert.That(recorder.Sum("wsrest.connection.active", ("wsrest.role", "server")), Is.EqualTo(1));
        Assert.That(recorder.Sum("wsrest.requests", ("wsrest.direction", "outgoing"), ("http.request.method", "GET"), ("http.response.status_code", 200)), Is.EqualTo(5), "client to server");
        Assert.That(recorder.Sum("wsrest.requests", ("wsrest.direction", "outgoing"), ("http.response.status_code", 202)), Is.EqualTo(1), "server to client");
        Assert.That(recorder.Count("wsrest.request.duration", ("wsrest.direction", "outgoing")), Is.EqualTo(6));
        Assert.That(recorder.Sum("wsrest.io.sent"), Is.GreaterThan(0));
        Assert.That(recorder.Sum("wsrest.io.received"), Is.GreaterThan(0));
        Assert.That(recorder.Count("wsrest.io.frames_per_message"), Is.GreaterThan(0));

        // Incoming requests are recorded when their handler finishes; stream counts return to zero.
        await recorder.WaitUntilAsync(r => r.Sum("wsrest.requests", ("wsrest.direction", "incoming")) >= 6 && r.Sum("wsrest.stream.active") == 0);
        Assert.That(recorder.Sum("wsrest.requests", ("wsrest.direction", "incoming"), ("http.response.status_code", 200)), Is.EqualTo(5));

        await client.DisposeAsync();
        await recorder.WaitUntilAsync(r => r.Sum("wsrest.connection.active") == 0);
        Assert.That(recorder.Count("wsrest.connection.duration"), Is.EqualTo(2), "both ends recorded the connection's duration");
    }

    [Test]
    public async Task PubSubEventsAreCounted()
    {
        using var recorder = new MeasurementRecorder();
        await using var host = await TestHost.StartAsync(_ => { });
        var client = await host.ConnectAsync();
        var publisher = host.App.Services.GetRequiredService<WsRest.Server.IWsRestPublisher>();
        var handled = 0;
        await using var subscription = await client.SubscribeAsync("metrics/test", (_, _) =>
        {
            Interlocked.Increment(ref handled);
            return ValueTask.CompletedTask;
        });

        for (var i = 0; i < 10; i++)
        {
            await publisher.PublishAsync("metrics/test", new byte[] { 1 });
        }

        await recorder.WaitUntilAsync(r => r.Sum("wsrest.pubsub.delivered", ("wsrest.role", "client")) == 10);
        Assert.That(recorder.Sum("wsrest.pubsub.published"), Is.EqualTo(10));
        Assert.That(recorder.Sum("wsrest.pubsub.delivered", ("wsrest.role", "server")), Is.EqualTo(10));
        Assert.That(recorder.Sum("wsrest.pubsub.dropped"), Is.Zero);
        Assert.That(recorder.Count("wsrest.pubsub.queue.depth"), Is.GreaterThan(0));
        Assert.That(handled, Is.EqualTo(10));
    }

    [Test]
    public async Task ReconnectsAreCounted()
    {
        using var recorder = new MeasurementRecorder();
        await using var host = await TestHost.StartAsync(app => app.MapGet("/ping", () => "pong"));
        await using var proxy = FaultProxy.Start(host.WsRestEndpoint);
        var options = new WsRestClientOptions { Endpoint = proxy.WsUri("/wsrest") };
        options.Reconnect.InitialDelay = TimeSpan.FromMilliseconds(50);
        await using var client = new WsRestClient(options);
        using var http = new HttpClient(new WebSocketMessageHandler(client)) { BaseAddress = host.HttpAddress };
        Assert.That(await http.GetStringAsync("/ping"), Is.EqualTo("pong"));
        await using var events = client.WatchAsync().GetAsyncEnumerator();

        proxy.ResetAll();

        do
        {
            Assert.That(await events.MoveNextAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(30)), Is.True);
        }
        while (events.Current.Kind != WsRestClientEventKind.Reconnected);

        Assert.That(await http.GetStringAsync("/ping").WaitAsync(TimeSpan.FromSeconds(30)), Is.EqualTo("pong"));
        await recorder.WaitUntilAsync(r => r.Sum("wsrest.client.reconnects") == 1);
    }

    /// <summary>Collects every WsRest measurement; sums and counts them filtered by tags.</summary>
    private sealed class MeasurementRecorder : IDisposable
    {
        private readonly MeterListener _listener = new();
        private readonly ConcurrentQueue<(string Name, double Value, KeyValuePair<string, object?>[] Tags)> _measurements = new();
        private readonly SemaphoreSlim _changed = new(0);

        public MeasurementRecorder()
        {
            _listener.InstrumentPublished = (instrument, listener) =>
            {
                if (instrument.Meter.Name == WsRestTelemetry.MeterName)
                {
                    listener.EnableMeasurementEvents(instrument);
                }
            };
            _listener.SetMeasurementEventCallback<long>((i, v, t, _) => Add(i.Name, v, t));
            _listener.SetMeasurementEventCallback<int>((i, v, t, _) => Add(i.Name, v, t));
            _listener.SetMeasurementEventCallback<double>((i, v, t, _) => Add(i.Name, v, t));
            _listener.Start();
        }

        public double Sum(string name, params (string Key, object Value)[] tags) => Matching(name, tags).Sum(m => m.Value);

        public int Count(string name, params (string Key, object Value)[] tags) => Matching(name, tags).Count();

        public async Task WaitUntilAsync(Func<MeasurementRecorder, bool> condition)
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            while (!condition(this))
            {
                await _changed.WaitAsync(timeout.Token);
            }
        }

        public void Dispose()
        {
            _listener.Dispose();
            _changed.Dispose();
        }

        private IEnumerable<(string Name, double Value, KeyValuePair<string, object?>[] Tags)> Matching(string name, (string Key, object Value)[] tags)
            => _measurements.Where(m => m.Name == name && tags.All(t => m.Tags.Any(x => x.Key == t.Key && Equals(x.Value, t.Value))));

        private void Add(string name, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
        {
            _measurements.Enqueue((name, value, tags.ToArray()));
            _changed.Release();
        }
    }
}
