using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;
using WsRest.Diagnostics;

namespace WsRest.Ecosystem.Tests.Docs;

/// <summary>
/// The code docs/observability.md shows, compiled here and run by the OpenTelemetry tests
/// (tests/WsRest.Client.Tests/Docs/DocSnippetTests.Observability.cs checks the guide quotes it).
/// </summary>
internal static class ObservabilitySnippets
{
    /// <summary>The standard set-up, nothing WsRest-specific for traces; the in-memory exporter stands for OTLP.</summary>
    public static void AddTelemetry(IServiceCollection services, ICollection<Activity> exportedSpans, ICollection<MetricSnapshot> exportedMetrics)
    {
        services.AddOpenTelemetry()
            .WithTracing(tracing => tracing
                .AddAspNetCoreInstrumentation()
                .AddHttpClientInstrumentation()
                .AddInMemoryExporter(exportedSpans))
            .WithMetrics(metrics => metrics
                .AddMeter(WsRestTelemetry.MeterName)
                .AddInMemoryExporter(exportedMetrics));
    }
}
