using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using WsRest.Client;
using WsRest.Tests.Infrastructure;

namespace WsRest.Tests.Transport;

/// <summary>Races between cancellation, flow control and early responses leave nothing behind.</summary>
public class CancellationRaceTests
{
    [Test]
    public async Task CancellingRequestsAtRandomMomentsLeaksNoStreamSlots()
    {
        await using var host = await TestHost.StartAsync(app => app.MapGet("/ping", () => "pong"), o => o.MaxConcurrentStreams = 4);
        using var http = await host.CreateWsRestHttpClientAsync();
        var random = new Random(42);

        // Cancelled before, while and after each request starts: every outcome but a leak is fine.
        var calls = Enumerable.Range(0, 500).Select(async _ =>
        {
            using var cts = new CancellationTokenSource();
            cts.CancelAfter(TimeSpan.FromTicks(random.Next(0, 20_000)));
            try
            {
                using var response = await http.GetAsync("/ping", cts.Token);
            }
            catch (OperationCanceledException)
            {
            }
        });
        await Task.WhenAll(calls).WaitAsync(TimeSpan.FromSeconds(60));

        // Every slot comes back: the streams, and the handlers of the cancelled ones, which may still be
        // finishing when the client's calls have ended (while more than twice the stream limit of them run,
        // new streams are refused, the rapid-reset defence: a loaded run saw the calls below refused).
        var connection = host.Registry.Connections.Single();
        using (var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30)))
        {
            while (connection.ActiveStreams != 0 || connection.Peer.RunningHandlerCount != 0)
            {
                // Server-side counters with nothing to await; a short poll, bounded by the timeout.
                await Task.Delay(10, timeout.Token);
            }
        }

        // With a limit of four streams, any slot leaked on the client's side would make these wait forever.
        for (var i = 0; i < 8; i++)
        {
            Assert.That(await http.GetStringAsync("/ping").WaitAsync(TimeSpan.FromSeconds(30)), Is.EqualTo("pong"));
        }
    }

    [Test]
    public async Task AnEarlyResponseArrivesEvenWhenTheSmallBodyWaitsForCredit()
    {
        var holding = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var finish = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var host = await TestHost.StartAsync(
            app =>
            {
                app.MapPost("/hold", async (HttpContext context) =>
                {
                    holding.TrySetResult();
                    await Task.Delay(Timeout.Infinite, context.RequestAborted); // never reads: the connection window stays used
                });
                app.MapPost("/deny", () => Results.StatusCode(401));
                app.MapPost("/stream-early", async (HttpContext context) =>
                {
                    // Answers and keeps streaming without reading the request body.
                    await context.Response.WriteAsync("first;");
                    await context.Response.Body.FlushAsync();
                    await finish.Task.WaitAsync(context.RequestAborted);
                    await context.Response.WriteAsync("last");
                });
            },
            o => o.InitialConnectionWindowSize = 64 * 1024);
        using var http = await host.CreateWsRestHttpClientAsync();
        using var cts = new CancellationTokenSource();
        var held = http.PostAsync("/hold", new ByteArrayContent(new byte[200 * 1024]), cts.Token);
        await holding.Task.WaitAsync(TimeSpan.FromSeconds(30));

        using var denied = await http.PostAsync("/deny", new ByteArrayContent(new byte[1000])).WaitAsync(TimeSpan.FromSeconds(30));

        Assert.That(denied.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));

        // A streaming answer is handed over at once too, not after the server finishes.
        using var earlyRequest = new HttpRequestMessage(HttpMethod.Post, "/stream-early") { Content = new ByteArrayContent(new byte[1000]) };
        using var streaming = await http.SendAsync(earlyRequest, HttpCompletionOption.ResponseHeadersRead).WaitAsync(TimeSpan.FromSeconds(30));
        Assert.That(finish.Task.IsCompleted, Is.False);
        await using var body = await streaming.Content.ReadAsStreamAsync();
        var first = new byte[6];
        await body.ReadExactlyAsync(first).AsTask().WaitAsync(TimeSpan.FromSeconds(30));
        Assert.That(System.Text.Encoding.UTF8.GetString(first), Is.EqualTo("first;"));
        finish.SetResult();
        await cts.CancelAsync();
        Assert.CatchAsync<OperationCanceledException>(() => held);
    }

    [Test]
    public async Task ClosedIsRaisedOnceWhenTheClientIsDisposedAfterGivingUp()
    {
        await using var host = await TestHost.StartAsync(app => app.MapGet("/ping", () => "pong"));
        var client = await host.ConnectAsync(o => o.Reconnect.Enabled = false);
        var kinds = new List<WsRestClientEventKind>();
        client.ConnectionEvent += (_, e) =>
        {
            lock (kinds)
            {
                kinds.Add(e.Kind);
            }
        };
        var closed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        client.ConnectionEvent += (_, e) =>
        {
            if (e.Kind == WsRestClientEventKind.Closed)
            {
                closed.TrySetResult();
            }
        };
        (await Reverse.ReverseCallTests.RegisteredAsync(host, client)).Abort();
        await closed.Task.WaitAsync(TimeSpan.FromSeconds(30));

        await client.DisposeAsync();

        lock (kinds)
        {
            Assert.That(kinds.Count(k => k == WsRestClientEventKind.Closed), Is.EqualTo(1));
        }
    }
}
