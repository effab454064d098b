using System.Diagnostics;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;
using WsRest.Diagnostics;
using WsRest.Ecosystem.Tests.Docs;
using WsRest.Ecosystem.Tests.Infrastructure;
using WsRest.Server;

namespace WsRest.Ecosystem.Tests.OpenTelemetry;

/// <summary>
/// The real OpenTelemetry SDK, set up the standard way (ASP.NET Core and HttpClient instrumentation,
/// nothing WsRest-specific): a call over WsRest makes the same trace as over HTTP, the caller's HttpClient
/// span the parent of the server's ASP.NET Core request span, in both directions (issue 16).
/// </summary>
[TestFixture]
[NonParallelizable] // the SDK listens process-wide: one test's spans at a time
public sealed class TraceTests
{
    private const string AspNetCoreSource = "Microsoft.AspNetCore";

    private readonly LockedList<Activity> _spans = new();
    private readonly LockedList<MetricSnapshot> _metrics = new();

    [SetUp]
    public void Clear()
    {
        _spans.Clear();
        _metrics.Clear();
    }

    [TestCase("WsRest")]
    [TestCase("HTTP")]
    public async Task TheHttpClientSpanIsTheParentOfTheServersRequestSpan(string transport)
    {
        await using var app = await StartAppAsync();
        using var http = transport == "WsRest" ? app.CreateWsRestHttpClient() : app.CreatePlainHttpClient();

        Assert.That(await http.GetStringAsync(new Uri("/trace", UriKind.Relative)), Is.EqualTo("traced"));

        var (client, server) = await ClientAndServerSpansAsync("/trace");
        using (Assert.EnterMultipleScope())
        {
            Assert.That(client.ParentSpanId, Is.EqualTo(default(ActivitySpanId)), "no ambient activity: the HttpClient span is the root, as on HTTP");
            Assert.That(server.TraceId, Is.EqualTo(client.TraceId), "one trace");
            Assert.That(server.ParentSpanId, Is.EqualTo(client.SpanId), "the server's request span is a child of the HttpClient span");
            Assert.That(client.DisplayName, Is.EqualTo("GET"));
            Assert.That(client.GetTagItem("http.response.status_code"), Is.EqualTo(200));
            Assert.That(client.GetTagItem("http.request.method"), Is.EqualTo("GET"));
            Assert.That(client.GetTagItem("url.full"), Is.EqualTo(new Uri(app.HttpAddress, "/trace").ToString()));
        }
    }

    [Test]
    public async Task TheCallersSpanTheHttpClientSpanAndTheServersSpanAreOneTrace()
    {
        using var caller = new ActivitySource("Caller");
        await using var app = await StartAppAsync(tracing => tracing.AddSource(caller.Name));
        using var http = app.CreateWsRestHttpClient();

        ActivitySpanId callerSpan;
        using (var operation = caller.StartActivity("checkout"))
        {
            callerSpan = operation!.SpanId;
            Assert.That(await http.GetStringAsync(new Uri("/trace", UriKind.Relative)), Is.EqualTo("traced"));
        }

        var (client, server) = await ClientAndServerSpansAsync("/trace");
        // The WebSocket upgrade's own HttpClient span (ClientWebSocket sends it through SocketsHttpHandler).
        var upgrade = _spans.Snapshot().Single(s => s.Source.Name == "System.Net.Http" && (s.GetTagItem("url.full") as string)?.EndsWith("/wsrest", StringComparison.Ordinal) == true);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(client.ParentSpanId, Is.EqualTo(callerSpan), "the HttpClient span is a child of the caller's");
            Assert.That(server.ParentSpanId, Is.EqualTo(client.SpanId));
            Assert.That(server.TraceId, Is.EqualTo(client.TraceId));
            Assert.That(upgrade.TraceId, Is.Not.EqualTo(client.TraceId), "the connection the first call opened belongs to no caller's trace");
        }
    }

    [Test]
    public async Task ARequestCarryingNoTraceIsARootOnTheServerNotAChildOfItsConnection()
    {
        var propagator = DistributedContextPropagator.Current;
        DistributedContextPropagator.Current = DistributedContextPropagator.CreateNoOutputPropagator();
        try
        {
            await using var app = await StartAppAsync();
            using var http = app.CreateWsRestHttpClient();

            Assert.That(await http.GetStringAsync(new Uri("/trace", UriKind.Relative)), Is.EqualTo("traced"));

            Activity? server = null;
            await TestTimeout.UntilAsync(() => (server = _spans.Snapshot().FirstOrDefault(s => s.Source.Name == AspNetCoreSource && (s.GetTagItem("url.path") as string) == "/trace")) is not null, "the server span of /trace");
            // Not a child of the upgrade request, whose span lasts as long as the connection.
            Assert.That(server!.ParentSpanId, Is.EqualTo(default(ActivitySpanId)), "no traceparent: a new trace, as on HTTP");
        }
        finally
        {
            DistributedContextPropagator.Current = propagator;
        }
    }

    [Test]
    public async Task WithTheWsRestSourceAddedARequestStillHasOneClientSpan()
    {
        await using var app = await StartAppAsync(tracing => tracing.AddSource(WsRestTelemetry.ActivitySourceName));
        using var http = app.CreateWsRestHttpClient();

        Assert.That(await http.GetStringAsync(new Uri("/trace", UriKind.Relative)), Is.EqualTo("traced"));

        var (client, server) = await ClientAndServerSpansAsync("/trace");
        Assert.That(server.ParentSpanId, Is.EqualTo(client.SpanId));
        Assert.That(_spans.Snapshot().Count(s => s.Kind == ActivityKind.Client && s.TraceId == client.TraceId), Is.EqualTo(1), "no nested WsRest client span");
    }

    [Test]
    public async Task AFailedResponseMarksTheClientSpanAsAnError()
    {
        await using var app = await StartAppAsync();
        using var http = app.CreateWsRestHttpClient();

        using var response = await http.GetAsync(new Uri("/missing", UriKind.Relative));

        Assert.That((int)response.StatusCode, Is.EqualTo(404));
        var (client, _) = await ClientAndServerSpansAsync("/missing");
        using (Assert.EnterMultipleScope())
        {
            Assert.That(client.Status, Is.EqualTo(ActivityStatusCode.Error));
            Assert.That(client.GetTagItem("error.type"), Is.EqualTo("404"));
        }
    }

    [Test]
    public async Task AServerCallIntoATunneledAppIsOneTraceToo()
    {
        await using var app = await StartAppAsync();
        await using var connections = app.Services.GetRequiredService<WsRestConnectionRegistry>().WatchAsync().GetAsyncEnumerator();

        // The app the server calls runs behind a WsRest connection it dialed (no port of its own), with no
        // telemetry set-up of its own: the process-wide SDK of the server records it, as a collector would.
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseWsRestTunnel(o => o.Endpoint = app.WsRestEndpoint);
        var kiosk = builder.Build();
        kiosk.MapGet("/kiosk", () => "from the kiosk");
        await kiosk.StartAsync();
        app.Own(kiosk);
        Assert.That(await connections.MoveNextAsync().AsTask().WaitAsync(TestTimeout.Default), Is.True);
        using var http = connections.Current.Connection.CreateHttpClient();

        Assert.That(await http.GetStringAsync(new Uri("/kiosk", UriKind.Relative)), Is.EqualTo("from the kiosk"));

        var (client, server) = await ClientAndServerSpansAsync("/kiosk");
        using (Assert.EnterMultipleScope())
        {
            Assert.That(server.TraceId, Is.EqualTo(client.TraceId), "one trace from the server into the tunneled app");
            Assert.That(server.ParentSpanId, Is.EqualTo(client.SpanId), "the tunneled app's request span is a child of the server's HttpClient span");
        }
    }

    [Test]
    public async Task WsRestsMetricsAreExported()
    {
        await using var app = await StartAppAsync();
        using var http = app.CreateWsRestHttpClient();
        Assert.That(await http.GetStringAsync(new Uri("/trace", UriKind.Relative)), Is.EqualTo("traced"));
        await ClientAndServerSpansAsync("/trace"); // the server's request is over once its span ended

        Assert.That(app.Services.GetRequiredService<MeterProvider>().ForceFlush(30_000), Is.True);

        var requests = _metrics.Snapshot().Where(m => m.Name == "wsrest.requests").SelectMany(m => m.MetricPoints).ToList();
        var directions = requests.Select(point => Tag(point, "wsrest.direction")).ToHashSet();
        using (Assert.EnterMultipleScope())
        {
            Assert.That(directions, Does.Contain("incoming"), "the server's request, from its IMeterFactory meter");
            Assert.That(directions, Does.Contain("outgoing"), "the client's request, from the meter of a client built without DI");
            Assert.That(_metrics.Snapshot().Select(m => m.Name), Does.Contain("wsrest.connection.active").And.Contain("wsrest.request.duration"));
        }
    }

    private static object? Tag(MetricPoint point, string name)
    {
        foreach (var tag in point.Tags)
        {
            if (tag.Key == name)
            {
                return tag.Value;
            }
        }

        return null;
    }

    private Task<KestrelApp> StartAppAsync(Action<TracerProviderBuilder>? tracing = null) => KestrelApp.StartAsync(
        services =>
        {
            ObservabilitySnippets.AddTelemetry(services, _spans, _metrics);
            if (tracing is not null)
            {
                services.ConfigureOpenTelemetryTracerProvider(tracing);
            }
        },
        app =>
        {
            app.MapGet("/trace", () => "traced");
        });

    /// <summary>The server's request span for <paramref name="path"/> and the HttpClient span of the same trace (each exported when it ended).</summary>
    private async Task<(Activity Client, Activity Server)> ClientAndServerSpansAsync(string path)
    {
        Activity? server = null;
        Activity? client = null;
        await TestTimeout.UntilAsync(
            () =>
            {
                var spans = _spans.Snapshot();
                server = spans.FirstOrDefault(s => s.Source.Name == AspNetCoreSource && s.Kind == ActivityKind.Server && (s.GetTagItem("url.path") as string) == path);
                client = server is null ? null : spans.FirstOrDefault(s => s.Source.Name == "System.Net.Http" && s.Kind == ActivityKind.Client && s.TraceId == server.TraceId);
                return client is not null;
            },
            $"the client and server spans of {path}");
        return (client!, server!);
    }
}
