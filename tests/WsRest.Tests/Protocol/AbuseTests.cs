using System.Net.WebSockets;
using Microsoft.AspNetCore.Builder;
using WsRest.Protocol;
using WsRest.Tests.Infrastructure;

namespace WsRest.Tests.Protocol;

/// <summary>Inputs that try to make the server do unbounded work.</summary>
public class AbuseTests
{
    [Test]
    public async Task OversizeMessageWithALimitThatIsNotAPowerOfTwoClosesTheConnection()
    {
        // 100,000 is not a pool bucket size: the limit must still be enforced (not spin on an empty read).
        await using var host = await TestHost.StartAsync(app => app.MapGet("/ping", () => "pong"), o => o.MaxMessageSize = 100_000);
        await using var raw = await RawConnection.OpenAsync(host.WsRestEndpoint);

        await raw.SendBytesAsync(new byte[150_000]);

        var (code, reason) = await raw.ReceiveUntilClosedAsync();
        Assert.That(code, Is.EqualTo(WsRestErrorCode.MessageTooLarge));
        Assert.That(reason, Does.Contain("100000"));
    }

    [Test]
    public async Task RapidResetCannotRunMoreHandlersThanTwiceTheStreamLimit()
    {
        var running = 0;
        var peak = 0;
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var host = await TestHost.StartAsync(
            app =>
            {
                app.MapGet("/stubborn", async () =>
                {
                    // Ignores RequestAborted on purpose, as careless handlers do.
                    var now = Interlocked.Increment(ref running);
                    int seen;
                    while (now > (seen = Volatile.Read(ref peak)) && Interlocked.CompareExchange(ref peak, now, seen) != seen)
                    {
                    }

                    await release.Task;
                    Interlocked.Decrement(ref running);
                    return "done";
                });
                app.MapGet("/ping", () => "pong");
            },
            o => o.MaxConcurrentStreams = 2);
        using var bystander = await host.CreateWsRestHttpClientAsync();
        await using var raw = await RawConnection.OpenAsync(host.WsRestEndpoint);

        // 200 REQUEST+CANCEL pairs: each cancel frees the protocol slot, but the handlers keep running.
        for (ulong id = 1; id < 400; id += 2)
        {
            await raw.SendGetAsync(id, "/stubborn");
            await raw.SendFrameAsync(FrameType.Cancel, FrameFlags.None, id, [(byte)WsRestErrorCode.Cancel]);
        }

        // While the stubborn handlers run, new streams are refused (not queued without bound).
        await raw.SendGetAsync(401, "/ping");
        var refused = await raw.ReceiveFrameAsync([FrameType.Response, FrameType.Cancel], 401);
        Assert.That(refused.Type, Is.EqualTo(FrameType.Cancel));
        Assert.That(ControlFrames.ReadCancel(refused.Payload), Is.EqualTo(WsRestErrorCode.RefusedStream));
        Assert.That(Volatile.Read(ref peak), Is.LessThanOrEqualTo(4), "running handlers are bounded by 2 x MaxConcurrentStreams");

        // Once they finish, the same connection serves again (a refused stream may be retried).
        release.SetResult();
        var answered = false;
        for (ulong id = 403; !answered && id < 1000; id += 2)
        {
            await raw.SendGetAsync(id, "/ping");
            var frame = await raw.ReceiveFrameAsync([FrameType.Response, FrameType.Cancel], id);
            answered = frame.Type == FrameType.Response;
        }

        Assert.That(answered, Is.True);
        Assert.That(await bystander.GetStringAsync("/ping"), Is.EqualTo("pong"));
    }

    [Test]
    public async Task AbuseOnSeveralConnectionsNeverCostsAWellBehavedClientARequest()
    {
        await using var host = await TestHost.StartAsync(
            app =>
            {
                app.MapGet("/ping", () => "pong");

                // Answers only when its connection goes: the stream stays open, so DATA after END is
                // always judged on a live stream. A finished and forgotten stream would make it a
                // tolerated late frame instead (the race that made this test flaky with /ping).
                app.MapGet("/hold-until-aborted", async (CancellationToken aborted) =>
                {
                    var gone = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                    await using var registration = aborted.Register(() => gone.TrySetResult());
                    await gone.Task;
                    return "aborted";
                });
            },
            o =>
            {
                o.HandshakeTimeout = TimeSpan.FromSeconds(1);
                o.MaxConcurrentStreams = 8;
            });
        using var bystander = await host.CreateWsRestHttpClientAsync();
        using var stop = new CancellationTokenSource();
        var answered = 0;
        var failed = 0;
        var steady = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                try
                {
                    if (await bystander.GetStringAsync("/ping") == "pong")
                    {
                        Interlocked.Increment(ref answered);
                    }
                }
                catch (HttpRequestException)
                {
                    Interlocked.Increment(ref failed);
                }
            }
        });

        // WINDOW overflow, DATA after END, a CANCEL storm and slowloris handshakes, all at once.
        var abuse = new[]
        {
            ExpectCloseAsync(host, WsRestErrorCode.FlowControlError, async raw =>
            {
                await raw.SendFrameAsync(FrameType.Window, FrameFlags.None, 0, [0xBF, 0xFF, 0xFF, 0xFF]);
                await raw.SendFrameAsync(FrameType.Window, FrameFlags.None, 0, [0xBF, 0xFF, 0xFF, 0xFF]);
            }),
            ExpectCloseAsync(host, WsRestErrorCode.ProtocolError, async raw =>
            {
                await raw.SendGetAsync(1, "/hold-until-aborted", endStream: true);
                await raw.SendFrameAsync(FrameType.Data, FrameFlags.EndStream, 1, [1, 2, 3]);
            }),
            CancelStormAsync(host),
            SlowlorisAsync(host, 20),
        };
        await Task.WhenAll(abuse).WaitAsync(TimeSpan.FromSeconds(60));

        await stop.CancelAsync();
        await steady;
        Assert.That(answered, Is.GreaterThan(0));
        Assert.That(failed, Is.Zero, $"the well-behaved client's success rate is 100% ({answered} requests)");
    }

    private static async Task ExpectCloseAsync(TestHost host, WsRestErrorCode expected, Func<RawConnection, Task> abuse)
    {
        await using var raw = await RawConnection.OpenAsync(host.WsRestEndpoint);
        await abuse(raw);
        var (code, _) = await raw.ReceiveUntilClosedAsync();
        Assert.That(code, Is.EqualTo(expected));
    }

    private static async Task CancelStormAsync(TestHost host)
    {
        await using var raw = await RawConnection.OpenAsync(host.WsRestEndpoint);
        for (ulong id = 1; id < 2000; id += 2)
        {
            await raw.SendGetAsync(id, "/ping");
            await raw.SendFrameAsync(FrameType.Cancel, FrameFlags.None, id, [(byte)WsRestErrorCode.Cancel]);
            await raw.SendFrameAsync(FrameType.Cancel, FrameFlags.None, id, [(byte)WsRestErrorCode.Cancel]);
        }

        // CANCEL for streams that are gone is harmless; the connection still serves.
        await raw.SendGetAsync(2001, "/ping");
        var answer = await raw.ReceiveFrameAsync([FrameType.Response, FrameType.Cancel], 2001);
        Assert.That(answer.Type, Is.EqualTo(FrameType.Response).Or.EqualTo(FrameType.Cancel));
    }

    private static async Task SlowlorisAsync(TestHost host, int count)
    {
        // Upgrades that never send HELLO: each is closed by the handshake timeout, none holds the server.
        var sockets = await Task.WhenAll(Enumerable.Range(0, count).Select(_ => RawConnection.OpenAsync(host.WsRestEndpoint, handshake: false)));
        try
        {
            var closes = await Task.WhenAll(sockets.Select(s => s.ReceiveUntilClosedAsync()));
            Assert.That(closes.Select(c => c.Code), Is.All.EqualTo(WsRestErrorCode.HandshakeTimeout));
        }
        finally
        {
            foreach (var socket in sockets)
            {
                await socket.DisposeAsync();
            }
        }
    }

    [Test]
    public async Task APreviousConnectionIdNeverTakesOverAnotherConnection()
    {
        await using var host = await TestHost.StartAsync(app => app.MapGet("/ping", () => "pong"));
        await using var events = host.Registry.WatchAsync().GetAsyncEnumerator();
        var victim = await host.ConnectAsync(o => o.Metadata["user"] = "victim");
        Assert.That(await events.MoveNextAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(30)), Is.True);

        // An attacker presents the victim's id as its "previous" connection.
        await using var raw = await RawConnection.OpenAsync(host.WsRestEndpoint, handshake: false);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var hello = new HelloFrame(WsRestProtocol.Version, new PeerSettings(), [], Convert.FromHexString(victim.ConnectionId!));
        await WsRest.Engine.HandshakeChannel.SendAsync(raw.Socket, FrameType.Hello, hello.Write, timeout.Token);
        var welcome = WelcomeFrame.Read(await WsRest.Engine.HandshakeChannel.ReceiveAsync(raw.Socket, FrameType.Welcome, 1 << 20, timeout.Token));
        await WsRest.Engine.HandshakeChannel.SendAsync(raw.Socket, FrameType.Ready, static _ => { }, timeout.Token);
        Assert.That(await events.MoveNextAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(30)), Is.True);

        Assert.That(Convert.ToHexStringLower(welcome.ConnectionId), Is.Not.EqualTo(victim.ConnectionId), "always a fresh id");
        Assert.That(host.Registry.TryGetConnection(victim.ConnectionId!, out var stillVictims), Is.True);
        Assert.That(stillVictims!.Metadata["user"], Is.EqualTo("victim"));
        Assert.That(events.Current.Connection.Metadata, Is.Empty, "the attacker's connection got nothing of the victim's");
        using var http = new HttpClient(new WsRest.Client.WebSocketMessageHandler(victim)) { BaseAddress = host.HttpAddress };
        Assert.That(await http.GetStringAsync("/ping"), Is.EqualTo("pong"));
    }
}
