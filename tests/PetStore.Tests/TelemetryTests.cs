using System.Collections.Concurrent;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;
using PetStore.Api;
using WsRest.Client;

namespace PetStore.Tests;

/// <summary>
/// The sample's OpenTelemetry (PetStoreTelemetry.cs): nothing unless an OTLP endpoint is configured;
/// with one, the API exports its traces and WsRest's metrics over OTLP/HTTP to that collector.
/// </summary>
[TestFixture]
public sealed class TelemetryTests
{
    [Test]
    public async Task WithoutAnOtlpEndpointNoTelemetryIsSetUp()
    {
        using var timeout = TestTimeout.Create();
        await using var app = await PetStoreApp.StartAsync("http://127.0.0.1:0", Quiet(builder => builder.AddPetStoreTelemetry()), timeout.Token);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(app.Services.GetService<TracerProvider>(), Is.Null);
            Assert.That(app.Services.GetService<MeterProvider>(), Is.Null);
        }

        await app.StopAsync(timeout.Token);
    }

    [Test]
    public async Task WithAnOtlpEndpointTheApiExportsItsTracesAndWsRestsMetrics()
    {
        using var timeout = TestTimeout.Create();
        var received = new ConcurrentDictionary<string, byte[]>();
        await using var collector = await StartCollectorAsync(received, timeout.Token);
        await using var app = await PetStoreApp.StartAsync(
            "http://127.0.0.1:0",
            Quiet(builder =>
            {
                builder.Configuration[PetStoreTelemetry.OtlpEndpointKey] = collector.Urls.First();
                builder.AddPetStoreTelemetry();
            }),
            timeout.Token);
        var address = PetStoreApp.GetBaseAddress(app);
        await using (var connection = new WsRestClient(new WsRestClientOptions { Endpoint = PetStoreApp.GetWsRestEndpoint(address) }))
        {
            using var http = new HttpClient(new WebSocketMessageHandler(connection)) { BaseAddress = address };
            using var response = await http.GetAsync(new Uri("/pets", UriKind.Relative), timeout.Token);
            Assert.That(response.IsSuccessStatusCode, Is.True);
        }

        // Exporters batch; flushing sends now what they hold (the request's span ended with its response).
        Assert.That(app.Services.GetRequiredService<TracerProvider>().ForceFlush(30_000), Is.True);
        Assert.That(app.Services.GetRequiredService<MeterProvider>().ForceFlush(30_000), Is.True);

        using (Assert.EnterMultipleScope())
        {
            // OTLP protobuf keeps strings as UTF-8 bytes: the service name and the instrument are readable.
            Assert.That(received.TryGetValue("/v1/traces", out var traces), Is.True, "traces were exported");
            Assert.That(Encoding.UTF8.GetString(traces ?? []), Does.Contain(PetStoreTelemetry.ServiceName).And.Contain("/pets"));
            Assert.That(received.TryGetValue("/v1/metrics", out var metrics), Is.True, "metrics were exported");
            Assert.That(Encoding.UTF8.GetString(metrics ?? []), Does.Contain("wsrest.requests"));
        }

        await app.StopAsync(timeout.Token);
    }

    private static Action<WebApplicationBuilder> Quiet(Action<WebApplicationBuilder> configure) => builder =>
    {
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        configure(builder);
    };

    /// <summary>An OTLP/HTTP collector stand-in: keeps the last body posted to each signal's path.</summary>
    private static async Task<WebApplication> StartCollectorAsync(ConcurrentDictionary<string, byte[]> received, CancellationToken cancellationToken)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var collector = builder.Build();
        collector.MapPost("/v1/{signal}", async (HttpContext context) =>
        {
            using var body = new MemoryStream();
            await context.Request.Body.CopyToAsync(body, context.RequestAborted);
            received.AddOrUpdate(context.Request.Path, body.ToArray(), (_, earlier) => [.. earlier, .. body.ToArray()]);
            return Results.Ok();
        });
        await collector.StartAsync(cancellationToken);
        return collector;
    }
}
