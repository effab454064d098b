using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace WsRest.Diagnostics;

/// <summary>
/// The names under which WsRest publishes metrics and traces (docs/observability.md). Listen with
/// OpenTelemetry (<c>AddMeter(WsRestTelemetry.MeterName)</c>, <c>AddSource(WsRestTelemetry.ActivitySourceName)</c>)
/// or a <see cref="MeterListener"/>/<see cref="ActivityListener"/>.
/// </summary>
public static class WsRestTelemetry
{
    /// <summary>The <see cref="Meter"/> name: "WsRest".</summary>
    public const string MeterName = "WsRest";

    /// <summary>The <see cref="ActivitySource"/> name: "WsRest".</summary>
    public const string ActivitySourceName = "WsRest";
}
