using OpenTelemetry;
using OpenTelemetry.Exporter;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;
using WsRest.Diagnostics;

namespace PetStore.Api;

/// <summary>
/// OpenTelemetry for the PetStore API, off unless an OTLP endpoint is configured: the standard
/// <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> (with the other <c>OTEL_EXPORTER_OTLP_*</c> settings), or
/// <see cref="OtlpEndpointKey"/> for an OTLP/HTTP collector. Traces need nothing WsRest-specific: a
/// tunneled request is an ASP.NET Core request, a WsRest call an HttpClient call (docs/observability.md).
/// </summary>
public static class PetStoreTelemetry
{
    /// <summary>The configuration key of an OTLP/HTTP collector's base address, e.g. <c>http://localhost:4318</c>.</summary>
    public const string OtlpEndpointKey = "PetStore:OtlpEndpoint";

    /// <summary>The service name the telemetry carries.</summary>
    public const string ServiceName = "PetStore.Api";

    /// <summary>Adds the OpenTelemetry SDK with the OTLP exporter when an endpoint is configured; otherwise nothing.</summary>
    public static WebApplicationBuilder AddPetStoreTelemetry(this WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var standard = builder.Configuration["OTEL_EXPORTER_OTLP_ENDPOINT"];
        var collector = builder.Configuration[OtlpEndpointKey];
        if (string.IsNullOrEmpty(standard) && string.IsNullOrEmpty(collector))
        {
            return builder; // off: no SDK, nothing listens, WsRest records nothing anyone reads
        }

        var telemetry = builder.Services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService(ServiceName))
            .WithTracing(tracing => tracing
                .AddAspNetCoreInstrumentation()
                .AddHttpClientInstrumentation())
            .WithMetrics(metrics => metrics
                .AddAspNetCoreInstrumentation()
                .AddHttpClientInstrumentation()
                .AddMeter(WsRestTelemetry.MeterName));
        if (string.IsNullOrEmpty(standard))
        {
            telemetry.UseOtlpExporter(OtlpExportProtocol.HttpProtobuf, new Uri(collector!));
        }
        else
        {
            telemetry.UseOtlpExporter(); // reads OTEL_EXPORTER_OTLP_ENDPOINT, _PROTOCOL, _HEADERS
        }

        return builder;
    }
}
