using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using WsRest.Tests.Infrastructure;

namespace WsRest.Tests.Fuzz;

/// <summary>
/// What the engine fuzzer found, each reproduced through the public API over a real socket. A new one fails until the
/// defect is fixed, and <see cref="EngineFuzzTests"/> sets its signature aside meanwhile so it keeps guarding everything else.
/// </summary>
[TestFixture]
public sealed class EngineFuzzFindingTests
{
    /// <summary>
    /// A request body the app never reads (an early 413, a 404, an endpoint that ignores the body) goes back to the
    /// shared array pool. It did not: the inline body's <c>CompleteBodyReader</c> array and the body pipe's segments
    /// were returned only when someone completed the stream's <c>BodyReader</c>, and at the end of a request nobody
    /// did — <c>RequestDispatcher.HandleAsync</c> calls <c>stream.ReleaseBody()</c>, which returned the credit but not
    /// the buffers. Releasing the body now completes both ends of its pipe (or the inline reader) as well.
    /// </summary>
    [Test]
    public async Task ARequestBodyTheAppNeverReadsGoesBackToThePool()
    {
        await using var host = await TestHost.StartAsync(app => app.MapPost("/early", () => Results.StatusCode(StatusCodes.Status413PayloadTooLarge)));
        using var http = await host.CreateWsRestHttpClientAsync();
        // Once first: JIT, lazily created pools and the connection's own buffers are not what is measured.
        await PostAsync(http);

        using var buffers = new PooledBufferMonitor();
        for (var i = 0; i < 20; i++)
        {
            await PostAsync(http);
        }

        var returned = await EngineFuzzSession.Eventually(() => buffers.Outstanding == 0, TimeSpan.FromSeconds(10));
        Assert.That(returned, Is.True, $"{buffers.Outstanding} pooled buffers rented by 20 requests whose body the app did not read were never returned");
    }

    /// <summary>
    /// A refused first subscribe leaves no faulted task behind: the refusal reaches the caller as the
    /// <see cref="UnauthorizedAccessException"/> of <c>SubscribeAsync</c>, not also as an unobserved task exception
    /// (which apps log as errors) from the subscription's <c>Completion</c>, which the caller never gets to see.
    /// </summary>
    [Test]
    public async Task ARefusedSubscribeLeavesNoUnobservedTaskException()
    {
        var unobserved = new System.Collections.Concurrent.ConcurrentQueue<Exception>();
        void OnUnobserved(object? sender, UnobservedTaskExceptionEventArgs e) => unobserved.Enqueue(e.Exception);
        await using var host = await TestHost.StartAsync(_ => { }, o => o.PubSub.AuthorizeSubscribe = (_, _) => false);
        var client = await host.ConnectAsync();
        TaskScheduler.UnobservedTaskException += OnUnobserved;
        try
        {
            await RefuseAsync(client);

            // A faulted task is reported when it is finalized.
            GC.Collect();
            GC.WaitForPendingFinalizers();
            GC.Collect();
        }
        finally
        {
            TaskScheduler.UnobservedTaskException -= OnUnobserved;
        }

        Assert.That(unobserved, Is.Empty, string.Join("\n", unobserved));
    }

    /// <summary>
    /// A client request that gives up its stream before the RESPONSE came leaves no faulted task behind. The
    /// sender resets the stream, which faults the stream's response-head task, and stops waiting for it: a request
    /// that got a stream slot after the server's GOAWAY (a request it let finish freed the slot; another one keeps
    /// the connection from closing) found the connection no longer accepting streams, and left that task faulted
    /// with "Stream N was reset by this side (Cancel)" and unobserved, which apps log as an error. Cancelled
    /// requests (waiting for a slot, for the head, or while their body is sent) are exercised too.
    /// </summary>
    [Test]
    public async Task AnAbandonedClientRequestLeavesNoUnobservedTaskException()
    {
        var unobserved = new System.Collections.Concurrent.ConcurrentQueue<Exception>();
        void OnUnobserved(object? sender, UnobservedTaskExceptionEventArgs e) => unobserved.Enqueue(e.Exception);
        var holds = new Holds();
        await using var host = await TestHost.StartAsync(
            app =>
            {
                app.MapGet("/hold/{n:int}", async (int n) =>
                {
                    holds.Holding[n].TrySetResult();
                    await holds.Release[n].Task;
                    return "released";
                });
                app.MapGet("/ping", () => "pong");
                app.MapPost("/slow", async (HttpContext context) => await Task.Delay(Timeout.Infinite, context.RequestAborted));
            },
            o => o.MaxConcurrentStreams = 2);
        using var http = await host.CreateWsRestHttpClientAsync();
        TaskScheduler.UnobservedTaskException += OnUnobserved;
        try
        {
            await AbandonAsync(host, http, holds);

            // A faulted task is reported when it is finalized.
            GC.Collect();
            GC.WaitForPendingFinalizers();
            GC.Collect();
        }
        finally
        {
            TaskScheduler.UnobservedTaskException -= OnUnobserved;
        }

        Assert.That(unobserved, Is.Empty, string.Join("\n", unobserved));
    }

    // Not inlined, so nothing of the abandoned requests stays reachable from the test's frame when it collects.
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    private static async Task AbandonAsync(TestHost host, HttpClient http, Holds holds)
    {
        // Cancelled at different points: waiting for a stream slot, for the RESPONSE, or sending the body.
        for (var i = 0; i < 20; i++)
        {
            using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(i % 5 * 3));
            Assert.CatchAsync<OperationCanceledException>(() => http.PostAsync("slow", new ByteArrayContent(new byte[(i % 3) * 700]), cancel.Token));
        }

        // Two requests hold both slots and a third waits; the server's GOAWAY comes; the first finishes, so the
        // third gets a slot on a connection that still drains the second and no longer takes new streams.
        var first = http.GetStringAsync("hold/0");
        var second = http.GetStringAsync("hold/1");
        await Task.WhenAll(holds.Holding[0].Task, holds.Holding[1].Task).WaitAsync(TimeSpan.FromSeconds(30));
        var waiting = http.GetStringAsync("ping");
        var closing = host.Registry.Connections.Single().CloseAsync();
        holds.Release[0].TrySetResult();
        Assert.That(await first.WaitAsync(TimeSpan.FromSeconds(30)), Is.EqualTo("released"));

        // Sent again on the next connection, or refused as not processed: the request's own outcome is not what is tested.
        try
        {
            Assert.That(await waiting.WaitAsync(TimeSpan.FromSeconds(30)), Is.EqualTo("pong"));
        }
        catch (HttpRequestException exception)
        {
            TestContext.Out.WriteLine($"the waiting request failed: {exception.Message}");
        }

        holds.Release[1].TrySetResult();
        Assert.That(await second.WaitAsync(TimeSpan.FromSeconds(30)), Is.EqualTo("released"));
        await closing.WaitAsync(TimeSpan.FromSeconds(30));
    }

    private sealed class Holds
    {
        public TaskCompletionSource[] Holding { get; } = [new(TaskCreationOptions.RunContinuationsAsynchronously), new(TaskCreationOptions.RunContinuationsAsynchronously)];

        public TaskCompletionSource[] Release { get; } = [new(TaskCreationOptions.RunContinuationsAsynchronously), new(TaskCreationOptions.RunContinuationsAsynchronously)];
    }

    // Not inlined, so nothing of the refused call stays reachable from the test's frame when it collects.
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    private static async Task RefuseAsync(WsRest.Client.WsRestClient client)
    {
        for (var i = 0; i < 5; i++)
        {
            Assert.CatchAsync<UnauthorizedAccessException>(() => client.SubscribeAsync($"secret/{i}", (_, _) => ValueTask.CompletedTask));
        }

        await Task.Yield();
    }

    private static async Task PostAsync(HttpClient http)
    {
        using var response = await http.PostAsync("early", new ByteArrayContent(new byte[1000]));
        Assert.That((int)response.StatusCode, Is.EqualTo(StatusCodes.Status413PayloadTooLarge));
    }
}
