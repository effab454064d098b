using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Core.Features;
using WsRest.Tests.Infrastructure;

namespace WsRest.Tests.Security;

/// <summary>
/// Kestrel's minimum data rates apply to tunneled streams (issue 19, item 2), per stream: a client that
/// trickles an upload gets 408 as over HTTP, one that does not read a response has that stream reset,
/// and another request on the same connection is served meanwhile.
/// </summary>
public class DataRateTests
{
    private static readonly TimeSpan Generous = TimeSpan.FromSeconds(60);

    private static Task<TestHost> StartAsync(Action<WebApplication> map, double responseBytesPerSecond = 240) => TestHost.StartAsync(
        map,
        configureBuilder: builder => builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.Limits.MinRequestBodyDataRate = new MinDataRate(240, TimeSpan.FromSeconds(2));
            kestrel.Limits.MinResponseDataRate = new MinDataRate(responseBytesPerSecond, TimeSpan.FromSeconds(2));
        }));

    [Test]
    public async Task ATrickledUploadGets408OnBothTransportsWhileTheConnectionServesOthers()
    {
        await using var host = await StartAsync(app =>
        {
            app.MapGet("/ping", () => "pong");
            app.MapPost("/upload", async (HttpContext context) =>
            {
                var length = 0L;
                var buffer = new byte[1024];
                int read;
                while ((read = await context.Request.Body.ReadAsync(buffer)) > 0)
                {
                    length += read;
                }

                return length;
            });
        });
        using var wsRest = await host.CreateWsRestHttpClientAsync();
        using var plain = host.CreatePlainHttpClient();
        using var stop = new CancellationTokenSource();

        var overWsRest = wsRest.PostAsync("/upload", new TrickleContent(stop.Token));
        var overHttp = plain.PostAsync("/upload", new TrickleContent(stop.Token));
        Assert.That(await wsRest.GetStringAsync("/ping").WaitAsync(Generous), Is.EqualTo("pong"), "the slow stream does not hold up its neighbours");

        using var wsRestResponse = await overWsRest.WaitAsync(Generous);
        var httpOutcome = await OutcomeAsync(overHttp);
        await stop.CancelAsync();

        // Kestrel answers 408 and closes; the client may still be writing and see the close instead.
        Assert.That(httpOutcome, Is.EqualTo("408").Or.EqualTo(nameof(HttpRequestException)), "the Kestrel reference ends the upload too");
        Assert.That(wsRestResponse.StatusCode, Is.EqualTo(HttpStatusCode.RequestTimeout));
        Assert.That(await wsRest.GetStringAsync("/ping"), Is.EqualTo("pong"));
    }

    [Test]
    public async Task AResponseTheClientDoesNotReadIsResetAndTheConnectionServesOthers()
    {
        var writeFailed = new TaskCompletionSource<Exception>(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var host = await StartAsync(app =>
        {
            app.MapGet("/ping", () => "pong");
            app.MapGet("/big", async (HttpContext context) =>
            {
                var chunk = new byte[64 * 1024];
                try
                {
                    for (var i = 0; i < 1024; i++)
                    {
                        await context.Response.Body.WriteAsync(chunk);
                    }
                }
                catch (Exception ex)
                {
                    writeFailed.TrySetResult(ex);
                    throw;
                }
            });
        }, responseBytesPerSecond: 1_000_000);
        using var wsRest = await host.CreateWsRestHttpClientAsync();

        using var unread = await wsRest.GetAsync("/big", HttpCompletionOption.ResponseHeadersRead);
        var stalled = System.Diagnostics.Stopwatch.StartNew();
        var failure = await writeFailed.Task.WaitAsync(Generous);

        // Each 64 KiB write may wait the 2 s grace period (its bytes at 1 MB/s take less), not longer.
        Assert.That(failure, Is.InstanceOf<IOException>().Or.InstanceOf<HttpRequestException>().Or.InstanceOf<OperationCanceledException>(), failure.ToString());
        Assert.That(stalled.Elapsed, Is.GreaterThan(TimeSpan.FromSeconds(1.5)), "not before the grace period");
        Assert.That(await wsRest.GetStringAsync("/ping"), Is.EqualTo("pong"), "only the slow stream was reset");
        var body = await unread.Content.ReadAsStreamAsync();
        Assert.That(async () => await body.CopyToAsync(Stream.Null), Throws.InstanceOf<IOException>().Or.InstanceOf<HttpRequestException>(), "the client learns its response was cut off");
    }

    [Test]
    public async Task TheRatesAreKestrelsPerRequestFeatures()
    {
        await using var host = await StartAsync(app => app.MapPost("/rates", (HttpContext context) =>
        {
            var request = context.Features.Get<IHttpMinRequestBodyDataRateFeature>()!;
            var response = context.Features.Get<IHttpMinResponseDataRateFeature>()!;
            var text = $"{request.MinDataRate?.BytesPerSecond}/{response.MinDataRate?.BytesPerSecond}";
            request.MinDataRate = null; // an app may lift the limit for one request
            return text;
        }));
        using var wsRest = await host.CreateWsRestHttpClientAsync();

        var first = await (await wsRest.PostAsync("/rates", new StringContent("x"))).Content.ReadAsStringAsync();
        var second = await (await wsRest.PostAsync("/rates", new StringContent("x"))).Content.ReadAsStringAsync();

        Assert.That(first, Is.EqualTo("240/240"));
        Assert.That(second, Is.EqualTo("240/240"), "a change lasts for its own request only");
    }

    [Test]
    public void TheRequestRuleIsKestrelsAverageOverTheTimeWaited()
    {
        var rate = new MinDataRate(100, TimeSpan.FromSeconds(5));
        var meter = default(WsRest.Server.Dispatch.DataRateMeter);

        Assert.That(meter.AllowedWait(rate), Is.EqualTo(TimeSpan.FromSeconds(5)), "nothing moved yet: the grace period");
        meter.AddBytes(1_000);
        Assert.That(meter.AllowedWait(rate), Is.EqualTo(TimeSpan.FromSeconds(10)), "1,000 bytes at 100 B/s earn 10 s");
        meter.AddWait(TimeSpan.FromSeconds(4));
        Assert.That(meter.AllowedWait(rate), Is.EqualTo(TimeSpan.FromSeconds(6)));
        meter.AddWait(TimeSpan.FromSeconds(7));
        Assert.That(meter.AllowedWait(rate), Is.EqualTo(TimeSpan.Zero), "already below the rate: no more waiting");
        meter.AddBytes(1L << 30);
        Assert.That(meter.AllowedWait(rate), Is.GreaterThan(TimeSpan.FromDays(100)), "earned time is not capped here; the timer ignores waits it cannot be set for");
    }

    private static async Task<string> OutcomeAsync(Task<HttpResponseMessage> request)
    {
        try
        {
            using var response = await request.WaitAsync(Generous);
            return ((int)response.StatusCode).ToString(System.Globalization.CultureInfo.InvariantCulture);
        }
        catch (HttpRequestException)
        {
            return nameof(HttpRequestException);
        }
    }

    /// <summary>A request body of unknown length that produces one byte every 250 ms (4 bytes/s) until stopped.</summary>
    private sealed class TrickleContent(CancellationToken stop) : HttpContent
    {
        protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context)
        {
            try
            {
                while (!stop.IsCancellationRequested)
                {
                    await stream.WriteAsync(new byte[] { 1 }, stop);
                    await stream.FlushAsync(stop);

                    // The pace of the slow client being simulated, not a wait for something to happen.
                    await Task.Delay(250, stop);
                }
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                // The test is over.
            }
        }

        protected override bool TryComputeLength(out long length)
        {
            length = 0;
            return false;
        }
    }
}
