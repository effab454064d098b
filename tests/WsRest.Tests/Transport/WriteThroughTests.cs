using System.Net;
using System.Net.WebSockets;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using WsRest.Client;
using WsRest.Tests.Infrastructure;

namespace WsRest.Tests.Transport;

/// <summary>
/// Issue 17: a frame is sent from the thread that queued it when nobody else writes (write-through), and
/// a response may complete on the client's read loop. Order, failure and isolation must be what they
/// were with a dedicated writer thread and an asynchronous completion.
/// </summary>
public class WriteThroughTests
{
    private static readonly TimeSpan Generous = TimeSpan.FromSeconds(60);

    [Test]
    public async Task ConcurrentWritersFromManyThreadsKeepEveryStreamsFramesInOrder()
    {
        await using var host = await TestHost.StartAsync(
            app => app.MapPost("/echo/{id}", async (HttpContext context, int id) =>
            {
                using var body = new MemoryStream();
                await context.Request.Body.CopyToAsync(body);
                context.Response.Headers["x-id"] = id.ToString(System.Globalization.CultureInfo.InvariantCulture);
                await context.Response.Body.WriteAsync(body.ToArray());
            }),
            o => o.MaxConcurrentStreams = 64);
        using var http = await host.CreateWsRestHttpClientAsync();

        // Mostly bodies that go inline with the REQUEST (one frame, written through when the socket is
        // free), some of several DATA frames (16 KiB each) whose frames interleave with other streams';
        // every request starts on its own thread-pool thread so the writers really race.
        var payloads = Enumerable.Range(0, 600)
            .Select(i => RandomNumberGenerator.GetBytes(i % 25 == 0 ? 70_000 + i : i % 700))
            .ToArray();
        var results = await Task.WhenAll(payloads.Select((payload, i) => Task.Run(async () =>
        {
            using var content = new ByteArrayContent(payload);
            using var response = await http.PostAsync($"/echo/{i}", content);
            return (i, response.StatusCode, Id: response.Headers.GetValues("x-id").Single(), Body: await response.Content.ReadAsByteArrayAsync());
        }))).WaitAsync(TimeSpan.FromSeconds(120));

        Assert.That(host.Registry.Count, Is.EqualTo(1), "one connection carried them all");
        foreach (var (i, status, id, body) in results)
        {
            Assert.That(status, Is.EqualTo(HttpStatusCode.OK), $"request {i}");
            Assert.That(id, Is.EqualTo(i.ToString(System.Globalization.CultureInfo.InvariantCulture)), $"request {i} answered as itself");
            Assert.That(body, Is.EqualTo(payloads[i]), $"body of request {i} ({payloads[i].Length} bytes)");
        }
    }

    [Test]
    public async Task ABlockingCallerContinuationDoesNotStallOtherRequests()
    {
        using var gate = new ManualResetEventSlim(false);
        await using var host = await TestHost.StartAsync(app => app.MapGet("/fast", () => "fast"));
        using var http = await host.CreateWsRestHttpClientAsync();
        Assert.That(await http.GetStringAsync("/fast"), Is.EqualTo("fast"), "connected");

        // A continuation that runs synchronously on whichever thread completes the response, and blocks
        // it: if that were the connection's read loop, no other response could arrive.
        var blocking = http.GetAsync("/fast").ContinueWith(
            completed =>
            {
                using var response = completed.Result;
                gate.Wait(Generous);
                return response.StatusCode;
            },
            CancellationToken.None,
            TaskContinuationOptions.ExecuteSynchronously,
            TaskScheduler.Default);

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

    [Test]
    public async Task ASendThatFailsOnTheCallersThreadFaultsTheConnectionAsTheWriterLoopWould()
    {
        await using var host = await TestHost.StartAsync(app => app.MapGet("/fast", () => "fast"));
        var sockets = new List<SendFaultWebSocket>();
        var disconnected = new TaskCompletionSource<WsRestClientEvent>(TaskCreationOptions.RunContinuationsAsynchronously);
        var client = await host.ConnectAsync(o =>
        {
            o.Reconnect.InitialDelay = TimeSpan.FromMilliseconds(20);
            o.WebSocketFactory = async (context, cancellationToken) =>
            {
                var socket = new ClientWebSocket();
                socket.Options.AddSubProtocol(context.SubProtocol);
                await socket.ConnectAsync(context.Endpoint, cancellationToken);
                var faulty = new SendFaultWebSocket(socket);
                lock (sockets)
                {
                    sockets.Add(faulty);
                }

                return faulty;
            };
        });
        using var http = new HttpClient(new WebSocketMessageHandler(client)) { BaseAddress = host.HttpAddress, Timeout = Generous };
        client.ConnectionEvent += (_, e) =>
        {
            if (e.Kind == WsRestClientEventKind.Disconnected)
            {
                disconnected.TrySetResult(e);
            }
        };
        Assert.That(await http.GetStringAsync("/fast"), Is.EqualTo("fast"), "connected");

        // Idle connection: the next REQUEST is written by the caller's own thread, and that send fails.
        var first = sockets.Single();
        first.FailNextSends(new WebSocketException(WebSocketError.ConnectionClosedPrematurely, "injected send failure"));
        var failure = Assert.ThrowsAsync<HttpRequestException>(async () => await http.GetStringAsync("/fast").WaitAsync(Generous));
        Assert.That(first.FailedSends, Is.GreaterThanOrEqualTo(1), "the send failed");
        Assert.That(Chain(failure).Any(e => e.Message.Contains("injected send failure", StringComparison.Ordinal)), Is.True, $"the request reports the send failure: {failure}");

        // As with a failed writer loop: the connection is reported lost with that reason, and the client
        // reconnects on a new socket for the next request.
        var lost = await disconnected.Task.WaitAsync(Generous);
        Assert.That(Chain(lost.Error).Any(e => e.Message.Contains("injected send failure", StringComparison.Ordinal)), Is.True, $"the connection's reason: {lost.Error}");
        Assert.That(await http.GetStringAsync("/fast").WaitAsync(Generous), Is.EqualTo("fast"), "a new connection serves the next request");
        lock (sockets)
        {
            Assert.That(sockets, Has.Count.GreaterThanOrEqualTo(2), "a new socket");
        }
    }

    private static IEnumerable<Exception> Chain(Exception? error)
    {
        for (; error is not null; error = error.InnerException)
        {
            yield return error;
        }
    }

    /// <summary>A real client WebSocket whose sends can be made to fail (the fault injected is the send's own exception).</summary>
    private sealed class SendFaultWebSocket(WebSocket inner) : WebSocket
    {
        private Exception? _failure;
        private int _failedSends;

        public int FailedSends => Volatile.Read(ref _failedSends);

        public void FailNextSends(Exception failure) => Volatile.Write(ref _failure, failure);

        public override WebSocketCloseStatus? CloseStatus => inner.CloseStatus;

        public override string? CloseStatusDescription => inner.CloseStatusDescription;

        public override WebSocketState State => inner.State;

        public override string? SubProtocol => inner.SubProtocol;

        public override void Abort() => inner.Abort();

        public override Task CloseAsync(WebSocketCloseStatus closeStatus, string? statusDescription, CancellationToken cancellationToken)
            => inner.CloseAsync(closeStatus, statusDescription, cancellationToken);

        public override Task CloseOutputAsync(WebSocketCloseStatus closeStatus, string? statusDescription, CancellationToken cancellationToken)
            => inner.CloseOutputAsync(closeStatus, statusDescription, cancellationToken);

        public override void Dispose() => inner.Dispose();

        public override Task<WebSocketReceiveResult> ReceiveAsync(ArraySegment<byte> buffer, CancellationToken cancellationToken)
            => inner.ReceiveAsync(buffer, cancellationToken);

        public override ValueTask<ValueWebSocketReceiveResult> ReceiveAsync(Memory<byte> buffer, CancellationToken cancellationToken)
            => inner.ReceiveAsync(buffer, cancellationToken);

        public override Task SendAsync(ArraySegment<byte> buffer, WebSocketMessageType messageType, bool endOfMessage, CancellationToken cancellationToken)
            => SendAsync(buffer.AsMemory(), messageType, endOfMessage, cancellationToken).AsTask();

        public override ValueTask SendAsync(ReadOnlyMemory<byte> buffer, WebSocketMessageType messageType, bool endOfMessage, CancellationToken cancellationToken)
        {
            if (Volatile.Read(ref _failure) is { } failure)
            {
                Interlocked.Increment(ref _failedSends);
                return ValueTask.FromException(failure);
            }

            return inner.SendAsync(buffer, messageType, endOfMessage, cancellationToken);
        }
    }
}
