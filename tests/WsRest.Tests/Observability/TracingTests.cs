using System.Diagnostics;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Logging;
using WsRest.Client;
using WsRest.Diagnostics;
using WsRest.Server;
using WsRest.Tests.Infrastructure;

namespace WsRest.Tests.Observability;

/// <summary>W3C trace context crosses the tunnel in both directions.</summary>
public class TracingTests
{
    private static readonly ActivitySource Test = new("WsRest.Tests");

    [Test]
    public async Task AClientActivityIsTheParentOfTheServersRequestActivity()
    {
        using var listener = Listen();
        var seen = new TaskCompletionSource<(ActivityTraceId Trace, ActivitySpanId Parent)>(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var host = await TestHost.StartAsync(app => app.MapGet("/trace", () =>
        {
            var current = Activity.Current!;
            seen.TrySetResult((current.TraceId, current.ParentSpanId));
            return "traced";
        }));
        using var http = await host.CreateWsRestHttpClientAsync();

        using (var operation = Test.StartActivity("client operation"))
        {
            Assert.That(await http.GetStringAsync("/trace"), Is.EqualTo("traced"));
            var (trace, parent) = await seen.Task.WaitAsync(TimeSpan.FromSeconds(30));

            Assert.That(trace, Is.EqualTo(operation!.TraceId), "one trace across the tunnel");
            var clientSpan = listener.Stopped.Single(a => a.Source.Name == WsRestTelemetry.ActivitySourceName && a.Kind == ActivityKind.Client);
            Assert.That(clientSpan.ParentSpanId, Is.EqualTo(operation.SpanId));
            Assert.That(parent, Is.EqualTo(clientSpan.SpanId), "the server's request activity is a child of the WsRest client span");
        }
    }

    [Test]
    public async Task AServerCallIntoATunneledAppContinuesTheServersTrace()
    {
        using var listener = Listen();
        var seen = new TaskCompletionSource<ActivityTraceId>(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var host = await TestHost.StartAsync(_ => { });
        await using var events = host.Registry.WatchAsync().GetAsyncEnumerator();
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseWsRestTunnel(o => o.Endpoint = host.WsRestEndpoint);
        await using var kiosk = builder.Build();
        kiosk.MapGet("/trace", () =>
        {
            seen.TrySetResult(Activity.Current!.TraceId);
            return "traced";
        });
        await kiosk.StartAsync();
        Assert.That(await events.MoveNextAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(30)), Is.True);
        using var http = events.Current.Connection.CreateHttpClient();

        using var operation = Test.StartActivity("server operation");
        Assert.That(await http.GetStringAsync("/trace"), Is.EqualTo("traced"));

        Assert.That(await seen.Task.WaitAsync(TimeSpan.FromSeconds(30)), Is.EqualTo(operation!.TraceId));
    }

    private static RecordingListener Listen() => new();

    private sealed class RecordingListener : IDisposable
    {
        private readonly ActivityListener _listener;

        public RecordingListener()
        {
            _listener = new ActivityListener
            {
                ShouldListenTo = source => source.Name is "WsRest" or "WsRest.Tests" or "Microsoft.AspNetCore",
                Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
                ActivityStopped = activity => Stopped.Add(activity),
            };
            ActivitySource.AddActivityListener(_listener);
        }

        public System.Collections.Concurrent.ConcurrentBag<Activity> Stopped { get; } = [];

        public void Dispose() => _listener.Dispose();
    }
}
