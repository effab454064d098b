using System.Diagnostics.Metrics;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using WsRest.Client;
using WsRest.Diagnostics;
using WsRest.Ecosystem.Tests.Infrastructure;

namespace WsRest.Ecosystem.Tests.Metrics;

/// <summary>
/// WsRest's meter comes from the container's <see cref="IMeterFactory"/>, as ASP.NET Core's do, so
/// <see cref="MetricCollector{T}"/> on an app's factory sees that app's measurements and no one else's.
/// A client built without a container records on the process-wide meter (scope null).
/// </summary>
[TestFixture]
[NonParallelizable] // the process-wide meter of clients built without DI is shared by every test
public sealed class MeterFactoryTests
{
    [Test]
    public async Task TheServerRecordsOnItsContainersMeterFactory()
    {
        await using var app = await StartAppAsync();
        var meterFactory = app.Services.GetRequiredService<IMeterFactory>();
        using var requests = new MetricCollector<long>(meterFactory, WsRestTelemetry.MeterName, "wsrest.requests");
        using var connections = new MetricCollector<long>(meterFactory, WsRestTelemetry.MeterName, "wsrest.connection.active");
        using var http = app.CreateWsRestHttpClient();

        Assert.That(await http.GetStringAsync(new Uri("/ping", UriKind.Relative)), Is.EqualTo("pong"));
        await requests.WaitForMeasurementsAsync(1, TestTimeout.Default);

        using (Assert.EnterMultipleScope())
        {
            var measurement = requests.GetMeasurementSnapshot().Single();
            Assert.That(measurement.Tags["wsrest.direction"], Is.EqualTo("incoming"), "the client's outgoing request is not on the server's meter");
            Assert.That(measurement.Tags["http.response.status_code"], Is.EqualTo(200));
            Assert.That(connections.GetMeasurementSnapshot().Select(m => m.Value), Is.EqualTo((long[])[1]));
            Assert.That(requests.Instrument!.Meter.Scope, Is.SameAs(meterFactory));
        }
    }

    [Test]
    public async Task AClientTheContainerCreatesRecordsOnThatContainersMeterFactory()
    {
        await using var app = await StartAppAsync();
        using var serverRequests = new MetricCollector<long>(app.Services.GetRequiredService<IMeterFactory>(), WsRestTelemetry.MeterName, "wsrest.requests");
        var services = new ServiceCollection().AddMetrics();
        services.AddHttpClient("api", http => http.BaseAddress = app.HttpAddress)
            .AddWebSocketTransport(o => o.Endpoint = app.WsRestEndpoint);
        await using var provider = services.BuildServiceProvider();
        using var clientRequests = new MetricCollector<long>(provider.GetRequiredService<IMeterFactory>(), WsRestTelemetry.MeterName, "wsrest.requests");
        using var processWide = new MetricCollector<long>(null, WsRestTelemetry.MeterName, "wsrest.requests");

        Assert.That(await provider.GetRequiredService<IHttpClientFactory>().CreateClient("api").GetStringAsync(new Uri("/ping", UriKind.Relative)), Is.EqualTo("pong"));
        await Task.WhenAll(clientRequests.WaitForMeasurementsAsync(1, TestTimeout.Default), serverRequests.WaitForMeasurementsAsync(1, TestTimeout.Default));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(clientRequests.GetMeasurementSnapshot().Select(m => m.Tags["wsrest.direction"]), Is.EqualTo((object[])["outgoing"]));
            Assert.That(serverRequests.GetMeasurementSnapshot().Select(m => m.Tags["wsrest.direction"]), Is.EqualTo((object[])["incoming"]));
            Assert.That(processWide.GetMeasurementSnapshot(), Is.Empty, "nothing on the process-wide meter");
        }
    }

    [Test]
    public async Task AClientBuiltWithoutAContainerRecordsOnTheProcessWideMeter()
    {
        await using var app = await StartAppAsync();
        using var processWide = new MetricCollector<long>(null, WsRestTelemetry.MeterName, "wsrest.requests");
        using var http = app.CreateWsRestHttpClient();

        Assert.That(await http.GetStringAsync(new Uri("/ping", UriKind.Relative)), Is.EqualTo("pong"));
        await processWide.WaitForMeasurementsAsync(1, TestTimeout.Default);

        Assert.That(processWide.GetMeasurementSnapshot().Select(m => m.Tags["wsrest.direction"]), Is.EqualTo((object[])["outgoing"]), "the server's incoming request is on its own factory's meter");
    }

    [Test]
    public async Task AClientGivenAMeterFactoryRecordsOnIt()
    {
        await using var app = await StartAppAsync();
        await using var provider = new ServiceCollection().AddMetrics().BuildServiceProvider();
        var meterFactory = provider.GetRequiredService<IMeterFactory>();
        using var requests = new MetricCollector<long>(meterFactory, WsRestTelemetry.MeterName, "wsrest.requests");
        await using var connection = new WsRestClient(new WsRestClientOptions { Endpoint = app.WsRestEndpoint }, loggerFactory: null, timeProvider: null, meterFactory);
        using var http = new HttpClient(new WebSocketMessageHandler(connection)) { BaseAddress = app.HttpAddress, Timeout = TestTimeout.Default };

        Assert.That(await http.GetStringAsync(new Uri("/ping", UriKind.Relative)), Is.EqualTo("pong"));
        await requests.WaitForMeasurementsAsync(1, TestTimeout.Default);

        Assert.That(requests.GetMeasurementSnapshot().Select(m => m.Tags["wsrest.direction"]), Is.EqualTo((object[])["outgoing"]));
    }

    private static Task<KestrelApp> StartAppAsync() => KestrelApp.StartAsync(_ => { }, app => app.MapGet("/ping", () => "pong"));
}
