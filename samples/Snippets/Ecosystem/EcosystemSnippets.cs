using System.Diagnostics.Metrics;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Http.Resilience;
using WsRest.Client;
using WsRest.Diagnostics;

namespace Snippets.Ecosystem;

// The C# examples of docs/ecosystem.md, compiled. Each block of the document is copied from this file
// (or from the sample and scripts it names); DocSnippetTests (tests/WsRest.Client.Tests/Docs) fails
// when a block is no longer found here, and runs these methods against a real server.

/// <summary>The typed client the examples register: any class that takes an <see cref="HttpClient"/>.</summary>
public sealed class InventoryClient(HttpClient http)
{
    public Task<string> GetItemsAsync(CancellationToken cancellationToken = default)
        => http.GetStringAsync(new Uri("items", UriKind.Relative), cancellationToken);
}

public static class EcosystemSnippets
{
    public static void TypedClient(IServiceCollection services)
    {
        services.AddHttpClient<InventoryClient>()
            .AddWebSocketTransport(o => o.Endpoint = new Uri("ws://localhost:5000/wsrest"));
    }

    public static void SharedEndpoint(IServiceCollection services)
    {
        // Two clients, one endpoint: one WebSocket.
        services.AddHttpClient<InventoryClient>()
            .AddWebSocketTransport(o => o.Endpoint = new Uri("ws://localhost:5000/wsrest"));
        services.AddHttpClient("reports")
            .AddWebSocketTransport(o => o.Endpoint = new Uri("ws://localhost:5000/wsrest"))
            .SetHandlerLifetime(TimeSpan.FromMinutes(5)); // rotating handlers never reconnects
    }

    public static void FromConfiguration(HostApplicationBuilder builder)
    {
        builder.Services.AddHttpClient<InventoryClient>()
            .AddWebSocketTransport(builder.Configuration.GetSection("WsRest:Inventory"));
    }

    public static void NamedConnection(HostApplicationBuilder builder, Func<string> getToken)
    {
        builder.Services.AddWsRestClient("inventory")
            .BindConfiguration("WsRest:Inventory")
            .Configure(o => o.ConfigureWebSocket = ws => ws.SetRequestHeader("Authorization", "Bearer " + getToken()));

        builder.Services.AddHttpClient<InventoryClient>().AddWebSocketTransport("inventory");
        builder.Services.AddHttpClient("inventory-admin").AddWebSocketTransport("inventory");
    }

    public static async Task<string?> ConnectEarlyAsync(IServiceProvider services, CancellationToken cancellationToken)
    {
        var connection = services.GetRequiredService<IWsRestClientProvider>().GetClient("inventory");
        await connection.ConnectAsync(cancellationToken);   // fail fast at start instead of on the first request
        return connection.ConnectionId;
    }

    public static void StandardResilience(IServiceCollection services)
    {
        services.AddHttpClient<InventoryClient>()
            .AddWebSocketTransport(o => o.Endpoint = new Uri("ws://localhost:5000/wsrest"))
            .AddStandardResilienceHandler(o => o.Retry.DisableForUnsafeHttpMethods()); // no blind retry of a POST that may have run
    }

    public static IDisposable ListenToMetrics(Action<string, double> record)
    {
        var listener = new MeterListener
        {
            InstrumentPublished = (instrument, l) =>
            {
                if (instrument.Meter.Name == WsRestTelemetry.MeterName)
                {
                    l.EnableMeasurementEvents(instrument);
                }
            },
        };
        listener.SetMeasurementEventCallback<long>((instrument, value, _, _) => record(instrument.Name, value));
        listener.SetMeasurementEventCallback<double>((instrument, value, _, _) => record(instrument.Name, value));
        listener.Start();
        return listener;
    }
}
