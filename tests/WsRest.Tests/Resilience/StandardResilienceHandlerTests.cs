using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Http.Resilience;
using Polly;
using Polly.CircuitBreaker;
using WsRest.Tests.Infrastructure;
using static WsRest.Tests.Resilience.ClientEvents;

namespace WsRest.Tests.Resilience;

/// <summary>
/// Microsoft.Extensions.Http.Resilience on a WsRest-transported client (issue 16), against a server
/// whose connections the fault proxy drops: the errors WsRest throws are the ones its strategies handle.
/// </summary>
public class StandardResilienceHandlerTests
{
    private static readonly TimeSpan WellUnderTheTimeout = TimeSpan.FromSeconds(10);

    [Test]
    public async Task TheStandardHandlerRetriesAGetWhoseConnectionDiedAndTheRetryRunsOnTheNewConnection()
    {
        var calls = 0;
        var firstStarted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var host = await TestHost.StartAsync(app => app.MapGet("/flaky", async (CancellationToken aborted) =>
        {
            if (Interlocked.Increment(ref calls) == 1)
            {
                firstStarted.TrySetResult();
                await Task.Delay(Timeout.Infinite, aborted);
            }

            return "second attempt";
        }));
        await using var proxy = FaultProxy.Start(host.WsRestEndpoint);
        var retries = 0;
        await using var services = Services(host, proxy, http => http.AddStandardResilienceHandler(o =>
        {
            o.Retry.Delay = TimeSpan.FromMilliseconds(50);
            o.Retry.OnRetry = args =>
            {
                Assert.That(args.Outcome.Exception, Is.InstanceOf<HttpRequestException>().With.Property(nameof(HttpRequestException.HttpRequestError)).EqualTo(HttpRequestError.ConnectionError));
                Interlocked.Increment(ref retries);
                return default;
            };
        }));
        var http = services.GetRequiredService<IHttpClientFactory>().CreateClient("api");

        var call = http.GetStringAsync("/flaky");
        await firstStarted.Task.WaitAsync(Generous);
        proxy.ResetAll();

        Assert.That(await call.WaitAsync(Generous), Is.EqualTo("second attempt"));
        Assert.That(Volatile.Read(ref retries), Is.EqualTo(1));
        Assert.That(Volatile.Read(ref calls), Is.EqualTo(2));
        Assert.That(proxy.ConnectionsAccepted, Is.EqualTo(2), "the retry went out on the reconnected WebSocket");
    }

    // The standard handler retries every method: a POST whose connection died after the server got it
    // runs twice. DisableForUnsafeHttpMethods keeps it to one run (docs/resilience.md).
    [TestCase(false, 2)]
    [TestCase(true, 1)]
    public async Task TheStandardHandlerRetriesAPostThatMayHaveRunUnlessUnsafeMethodsAreExcluded(bool disableForUnsafeMethods, int expectedRuns)
    {
        var runs = 0;
        var firstStarted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var host = await TestHost.StartAsync(app => app.MapPost("/orders", async (CancellationToken aborted) =>
        {
            if (Interlocked.Increment(ref runs) == 1)
            {
                firstStarted.TrySetResult();
                await Task.Delay(Timeout.Infinite, aborted);
            }

            return Results.Created("/orders/1", "created");
        }));
        await using var proxy = FaultProxy.Start(host.WsRestEndpoint);
        await using var services = Services(host, proxy, http => http.AddStandardResilienceHandler(o =>
        {
            o.Retry.Delay = TimeSpan.FromMilliseconds(50);
            if (disableForUnsafeMethods)
            {
                o.Retry.DisableForUnsafeHttpMethods();
            }
        }));
        var http = services.GetRequiredService<IHttpClientFactory>().CreateClient("api");

        var call = http.PostAsync("/orders", new StringContent("{\"item\":1}"));
        await firstStarted.Task.WaitAsync(Generous);
        proxy.ResetAll();

        if (disableForUnsafeMethods)
        {
            var error = Assert.CatchAsync<HttpRequestException>(() => call.WaitAsync(Generous));
            Assert.That(error!.HttpRequestError, Is.EqualTo(HttpRequestError.ConnectionError), "the caller decides what to do with a POST that may have run");
        }
        else
        {
            using var response = await call.WaitAsync(Generous);
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Created));
        }

        Assert.That(Volatile.Read(ref runs), Is.EqualTo(expectedRuns));
    }

    [Test]
    public async Task TheAttemptTimeoutCancelsAHungRequestOnTheServerAndTheRetrySucceeds()
    {
        var calls = 0;
        var firstAborted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var host = await TestHost.StartAsync(app => app.MapGet("/slow", async (CancellationToken aborted) =>
        {
            if (Interlocked.Increment(ref calls) == 1)
            {
                using var registration = aborted.Register(() => firstAborted.TrySetResult());
                await Task.Delay(Timeout.Infinite, aborted);
            }

            return "in time";
        }));
        await using var proxy = FaultProxy.Start(host.WsRestEndpoint);
        await using var services = Services(host, proxy, http => http.AddStandardResilienceHandler(o =>
        {
            o.AttemptTimeout.Timeout = TimeSpan.FromSeconds(1);
            o.Retry.Delay = TimeSpan.FromMilliseconds(50);
        }));
        var http = services.GetRequiredService<IHttpClientFactory>().CreateClient("api");

        Assert.That(await http.GetStringAsync("/slow").WaitAsync(Generous), Is.EqualTo("in time"));
        await firstAborted.Task.WaitAsync(Generous);

        // At least the hung attempt and the one that answered; on a loaded machine a retry may itself
        // outlive the 1 s attempt timeout, which the handler then retries too.
        Assert.That(Volatile.Read(ref calls), Is.GreaterThanOrEqualTo(2));
        Assert.That(proxy.ConnectionsAccepted, Is.EqualTo(1), "a timed-out request is cancelled on its stream; the connection stays");
    }

    [Test]
    public async Task ACustomPipelinesCircuitBreakerOpensOnAServerThatIsDownAfterFastFailures()
    {
        await using var host = await TestHost.StartAsync(app => app.MapGet("/ping", () => "pong"));
        await using var proxy = FaultProxy.Start(host.WsRestEndpoint);
        await using var services = Services(host, proxy, http => http.AddResilienceHandler("circuit", pipeline => pipeline.AddCircuitBreaker(new HttpCircuitBreakerStrategyOptions
        {
            MinimumThroughput = 2,
            FailureRatio = 0.5,
            SamplingDuration = TimeSpan.FromSeconds(30),
            BreakDuration = TimeSpan.FromSeconds(30),
        })));
        var http = services.GetRequiredService<IHttpClientFactory>().CreateClient("api");
        Assert.That(await http.GetStringAsync("/ping"), Is.EqualTo("pong"));

        proxy.RejectNew();
        proxy.ResetAll();

        // WsRest fails each request at once while the server is down (issue 13), so the breaker sees
        // failures in seconds rather than one per 100 s timeout, and opens.
        var failures = new List<Exception>();
        while (failures.Count < 5 && failures.LastOrDefault() is not BrokenCircuitException)
        {
            failures.Add(await CatchAsync(http.GetStringAsync("/ping").WaitAsync(WellUnderTheTimeout)));
        }

        Assert.That(failures.Last(), Is.InstanceOf<BrokenCircuitException>());
        Assert.That(failures.SkipLast(1), Is.Not.Empty.And.All.InstanceOf<HttpRequestException>());
    }

    private static async Task<Exception> CatchAsync(Task call)
    {
        try
        {
            await call;
        }
        catch (Exception ex)
        {
            return ex;
        }

        throw new AssertionException("the request to a server that is down succeeded");
    }

    /// <summary>A container with the HttpClient "api" sent over WsRest through <paramref name="proxy"/>, with <paramref name="resilience"/> added.</summary>
    private static ServiceProvider Services(TestHost host, FaultProxy proxy, Action<IHttpClientBuilder> resilience)
    {
        var services = new ServiceCollection();
        services.AddLogging();
        var http = services.AddHttpClient("api", c => c.BaseAddress = host.HttpAddress).AddWebSocketTransport(o =>
        {
            o.Endpoint = proxy.WsUri("/wsrest");
            o.Reconnect.InitialDelay = TimeSpan.FromMilliseconds(50);
            o.Reconnect.MaxDelay = TimeSpan.FromMilliseconds(500);
        });
        resilience(http);
        return services.BuildServiceProvider();
    }
}
