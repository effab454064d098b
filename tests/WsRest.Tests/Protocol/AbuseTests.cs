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
}
