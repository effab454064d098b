using System.Net;
using Microsoft.AspNetCore.Builder;
using WsRest.Tests.Infrastructure;

namespace WsRest.Tests.Transport;

/// <summary>
/// A caller's continuation that runs synchronously on the thread that completed its response and blocks
/// it must not stall the other responses of the connection. Kept from an attempt to complete responses on
/// the read loop's thread (issue 17), which this test caught stalling the connection when the thread pool
/// was busy (in the full run, not alone): the engine completes responses on the thread pool.
/// </summary>
public class BlockingContinuationTests
{
    private static readonly TimeSpan Generous = TimeSpan.FromSeconds(60);

    [Test]
    public async Task ABlockingCallerContinuationDoesNotStallOtherRequests()
    {
        using var gate = new ManualResetEventSlim(false);
        await using var host = await TestHost.StartAsync(app => app.MapGet("/fast", () => "fast"));
        using var http = await host.CreateWsRestHttpClientAsync();
        Assert.That(await http.GetStringAsync("/fast"), Is.EqualTo("fast"), "connected");

        // A continuation that runs synchronously on whichever thread completes the response, and blocks
        // it: if that were the connection's read loop, no other response could arrive. Started from the
        // pool: when the response is complete before ContinueWith is called (a loaded machine can finish
        // the whole round trip before SendAsync reaches its await), the continuation runs on the calling
        // thread, and that must not be the test's own (it blocked the test for 60 s once, in a full run).
        var blocking = Task.Run(() => http.GetAsync("/fast").ContinueWith(
            completed =>
            {
                using var response = completed.Result;
                gate.Wait(Generous);
                return response.StatusCode;
            },
            CancellationToken.None,
            TaskContinuationOptions.ExecuteSynchronously,
            TaskScheduler.Default));

        try
        {
            var others = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => http.GetStringAsync("/fast"))).WaitAsync(Generous);
            Assert.That(others, Is.All.EqualTo("fast"));
            Assert.That(blocking.IsCompleted, Is.False, "the blocking continuation is still blocked");
        }
        finally
        {
            gate.Set();
        }

        Assert.That(await blocking.WaitAsync(Generous), Is.EqualTo(HttpStatusCode.OK));
    }
}
