using System.Net.WebSockets;
using System.Security.Claims;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using WsRest.Benchmarks;
using WsRest.Client;
using WsRest.Diagnostics;
using WsRest.Engine;
using WsRest.Http;
using WsRest.Protocol;
using WsRest.Server;
using WsRest.Server.Dispatch;
using WsRest.Server.PubSub;

namespace WsRest.Tests.Fuzz;

/// <summary>
/// One stateful fuzz session: a live <see cref="WsRestPeer"/> (server role with the real
/// <see cref="RequestDispatcher"/> and pub/sub endpoint, or client role with its reverse-call handler, requests
/// of its own and client pub/sub) over an in-memory WebSocket pair, driven by a <see cref="FrameScript"/>; then
/// the connection ends one of four ways and the session checks the peer came to rest.
/// </summary>
internal static class EngineFuzzSession
{
    private static readonly TimeSpan SettleTimeout = TimeSpan.FromSeconds(10);

    /// <summary>Small limits, so windows, stream limits and message sizes are reached within a few frames.</summary>
    private static readonly PeerSettings Settings = new()
    {
        MaxConcurrentStreams = 8,
        InitialStreamWindow = 16 * 1024,
        InitialConnectionWindow = 64 * 1024,
        MaxMessageSize = 16 * 1024,
        MaxHeaderListSize = 8 * 1024,
        PubSub = 1,
    };

    /// <summary>
    /// Runs one session; returns its findings (empty: the peer survived and came to rest) and how the connection
    /// ended: the error code the live peer closed with, or the kind of ending the session chose.
    /// </summary>
    public static async Task<(List<string> Findings, string Ending)> RunAsync(PeerRole liveRole, int seed)
    {
        var random = new Random(seed);
        var findings = new List<string>();
        var (liveStream, fuzzStream) = DuplexPipeStream.CreatePair();
        var liveSocket = WebSocket.CreateFromStream(liveStream, new WebSocketCreationOptions { IsServer = liveRole == PeerRole.Server, KeepAliveInterval = TimeSpan.Zero });
        var fuzzSocket = WebSocket.CreateFromStream(fuzzStream, new WebSocketCreationOptions { IsServer = liveRole != PeerRole.Server, KeepAliveInterval = TimeSpan.Zero });
        // Half the sessions make no deliberate mistake, so they live long enough to reach deep states.
        var clean = random.Next(2) == 0;
        var script = new FrameScript(random, liveRole, Settings, clean);
        await using var live = liveRole == PeerRole.Server ? LiveServer.Start(liveSocket, Settings) : (ILivePeer)LiveClient.Start(liveSocket, Settings, new Random(random.Next()));

        var reader = Task.Run(() => ReadAsync(fuzzSocket, script));
        var steps = random.Next(10, 300);
        for (var step = 0; step < steps && !reader.IsCompleted; step++)
        {
            if (!await TrySendAsync(fuzzSocket, script.NextMessage()))
            {
                break;
            }

            if (random.Next(8) == 0)
            {
                // Let the handlers and the writer run between bursts, so frames interleave with responses.
                await Task.Delay(random.Next(0, 3));
            }
        }

        var ending = random.Next(4);
        switch (ending)
        {
            case 0:
                if (await TrySendAsync(fuzzSocket, script.GoAway()))
                {
                    await CloseQuietlyAsync(fuzzSocket);
                }

                break;
            case 1:
                _ = live.Peer.GoAwayAsync("fuzz session over", TimeSpan.FromMilliseconds(random.Next(0, 500)));
                break;
            case 2:
                // The network goes away: no close handshake.
                fuzzStream.Dispose();
                break;
            default:
                await live.Peer.DisposeAsync();
                break;
        }

        if (!await Completes(live.Peer.Completion, SettleTimeout))
        {
            findings.Add($"{liveRole}: hang: the peer did not complete {SettleTimeout.TotalSeconds:0} s after the session ended (ending {ending}, {live.Peer.ActiveStreamCount} streams open)");
            live.Peer.Abort(new TimeoutException("fuzz: the peer did not complete"));
        }

        if (live.Peer.CloseReason is { } reason && !IsExpectedCloseReason(reason))
        {
            findings.Add($"{liveRole}: crash: the peer closed with {reason.GetType().Name} at {reason.TargetSite?.DeclaringType?.Name}.{reason.TargetSite?.Name}: {reason.Message}");
        }

        fuzzStream.Dispose();
        if (!await Completes(reader, SettleTimeout))
        {
            findings.Add($"{liveRole}: hang: the fuzzer's reader never saw the connection end");
        }

        findings.AddRange(await live.SettleAsync(SettleTimeout));
        fuzzSocket.Dispose();
        liveSocket.Dispose();
        var how = live.Peer.CloseReason switch
        {
            WsRestProtocolException violation => $"closed by the peer: {violation.ErrorCode}",
            null => ending switch { 0 => "fuzzer GOAWAY and close", 1 => "peer GOAWAY", 2 => "transport lost", _ => "peer disposed" },
            var other => $"closed: {other.GetType().Name}",
        };
        return (findings, $"{(clean ? "clean" : "with mistakes")}, {how}");
    }

    /// <summary>How a connection may legitimately end under a fuzzer: a protocol violation, a lost socket, a timeout, or none.</summary>
    private static bool IsExpectedCloseReason(Exception reason)
        => reason is WsRestProtocolException or WebSocketException or IOException or TimeoutException or WsRestConnectionClosedException or OperationCanceledException;

    private static async Task<bool> TrySendAsync(WebSocket socket, byte[] message)
    {
        try
        {
            await socket.SendAsync(message, WebSocketMessageType.Binary, endOfMessage: true, CancellationToken.None);
            return true;
        }
        catch (Exception exception) when (exception is WebSocketException or IOException or ObjectDisposedException or OperationCanceledException)
        {
            // The live peer closed the connection (a violation it detected, most often): the session is over.
            return false;
        }
    }

    private static async Task CloseQuietlyAsync(WebSocket socket)
    {
        try
        {
            await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "fuzz", CancellationToken.None);
        }
        catch (Exception exception) when (exception is WebSocketException or IOException or ObjectDisposedException or InvalidOperationException)
        {
            // Already closed (by the peer, or by our other close: the reader and the session both answer).
        }
    }

    /// <summary>Reads everything the live peer sends (so it never blocks on a full pipe) and tells the script about it.</summary>
    private static async Task ReadAsync(WebSocket socket, FrameScript script)
    {
        var buffer = new byte[64 * 1024];
        var message = new MemoryStream();
        try
        {
            while (true)
            {
                var result = await socket.ReceiveAsync(buffer, CancellationToken.None);
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    // Answered as a WebSocket endpoint does: a peer that failed the connection reads until
                    // it has our close, and would otherwise wait its close timeout.
                    await CloseQuietlyAsync(socket);
                    return;
                }

                message.Write(buffer, 0, result.Count);
                if (!result.EndOfMessage)
                {
                    continue;
                }

                var bytes = message.GetBuffer().AsSpan(0, (int)message.Length);
                while (FrameCodec.TryReadFrame(bytes, out var frame, out var consumed))
                {
                    script.Observe(frame);
                    bytes = bytes[consumed..];
                }

                message.SetLength(0);
            }
        }
        catch (Exception exception) when (exception is WebSocketException or IOException or ObjectDisposedException or OperationCanceledException)
        {
            // The connection is gone.
        }
    }

    internal static async Task<bool> Completes(Task task, TimeSpan timeout)
    {
        try
        {
            await task.WaitAsync(timeout);
            return true;
        }
        catch (TimeoutException)
        {
            return false;
        }
        catch (Exception)
        {
            // Completed, with an error that is the peer's way of ending; the close reason is checked apart.
            return true;
        }
    }

    /// <summary>Polls <paramref name="condition"/> until it holds or <paramref name="timeout"/> passed (cleanup after a close runs on the thread pool).</summary>
    internal static async Task<bool> Eventually(Func<bool> condition, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                return false;
            }

            await Task.Delay(10);
        }

        return true;
    }

    private interface ILivePeer : IAsyncDisposable
    {
        WsRestPeer Peer { get; }

        /// <summary>Waits for the peer's work to drain and returns what did not.</summary>
        Task<List<string>> SettleAsync(TimeSpan timeout);
    }

    private sealed class LiveServer : ILivePeer
    {
        private readonly FuzzApplication _app = new();
        private readonly InMemoryEventBus _bus = new(Options.Create(new WsRestServerOptions()));
        private readonly ServerPubSubEndpoint _pubSub;
        private readonly CancellationTokenSource _stopPublishing = new();
        private readonly Task _publishing;

        private LiveServer(WebSocket socket, PeerSettings settings)
        {
            var user = new ClaimsPrincipal(new ClaimsIdentity());
            _pubSub = new ServerPubSubEndpoint(_bus, new WsRestPubSubOptions { AuthorizePublish = static (_, topic) => topic == "fuzz/live", ConnectionQueueCapacity = 16, ReplayBufferSize = 8 }, NullLogger.Instance, WsRestMetrics.Shared);
            Peer = new WsRestPeer(socket, new PeerOptions
            {
                Role = PeerRole.Server,
                Local = settings,
                Remote = settings,
                Extensions = [_pubSub],
                Handler = new RequestDispatcher(
                    new ApplicationPipeline<HttpContext>(_app, NullLogger.Instance),
                    new DispatchConnectionContext { ConnectionId = "fuzz", Scheme = "http", Host = "fuzz", User = user }),
                SendTimeout = TimeSpan.FromSeconds(5),
                RemoteName = "fuzzer",
            });
            var connection = new WsRestConnection("fuzz", new Dictionary<string, string>(), user, null, null, DateTimeOffset.UtcNow, Peer, TimeSpan.FromSeconds(5));
            _pubSub.Start(Peer, connection);
            Peer.Start();
            _publishing = PublishAsync(_stopPublishing.Token);
        }

        public WsRestPeer Peer { get; }

        public static LiveServer Start(WebSocket socket, PeerSettings settings) => new(socket, settings);

        public async Task<List<string>> SettleAsync(TimeSpan timeout)
        {
            await _stopPublishing.CancelAsync();
            await _publishing;
            var findings = new List<string>();
            if (!await Completes(_pubSub.Completion, timeout))
            {
                findings.Add("Server: hang: the pub/sub endpoint's loops did not end");
            }

            await Check(findings, "Server", "streams left in the stream table", () => Peer.ActiveStreamCount, timeout);
            await Check(findings, "Server", "bytes left in the write backlog", () => Peer.Backlog.Bytes, timeout);
            await Check(findings, "Server", "requests still running in the app", () => _app.Running, timeout);
            // Only fuzz/live has events; a topic nobody subscribes to and nothing was published on is forgotten.
            await Check(findings, "Server", "topics left on the bus beyond fuzz/live", () => Math.Max(0, _bus.TopicCount - 1), timeout);
            return findings;
        }

        public async ValueTask DisposeAsync()
        {
            await _stopPublishing.CancelAsync();
            await Peer.DisposeAsync();
            _stopPublishing.Dispose();
        }

        private async Task PublishAsync(CancellationToken stop)
        {
            var data = new byte[24];
            while (!stop.IsCancellationRequested)
            {
                await _bus.PublishAsync("fuzz/live", "application/octet-stream", data, CancellationToken.None);
                try
                {
                    await Task.Delay(1, stop);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }
    }

    private sealed class LiveClient : ILivePeer
    {
        private readonly FuzzMessageHandler _handler = new();
        private readonly CancellationTokenSource _closing = new();
        private readonly ClientPubSub _pubSub;
        private readonly List<Task> _work = [];
        private readonly System.Collections.Concurrent.ConcurrentQueue<string> _untyped = new();

        private LiveClient(WebSocket socket, PeerSettings settings, Random random)
        {
            WsRestPeer? peer = null;
            _pubSub = new ClientPubSub(_ => Task.FromResult(peer!), new Uri("ws://fuzz/"), NullLogger.Instance, 16, WsRestMetrics.Shared, _closing.Token);
            peer = new WsRestPeer(socket, new PeerOptions
            {
                Role = PeerRole.Client,
                Local = settings,
                Remote = settings,
                Extensions = [_pubSub.CreateEndpoint()],
                Handler = new HttpMessageInvokerStreamHandler(new HttpMessageInvoker(_handler)),
                SendTimeout = TimeSpan.FromSeconds(5),
                RemoteName = "fuzzer",
            });
            Peer = peer;
            Peer.Start();
            for (var i = random.Next(1, 12); i > 0; i--)
            {
                _work.Add(SendAsync(random.Next(4), random.Next(40) == 0 ? 0 : random.Next(5, 500)));
            }

            for (var i = random.Next(0, 3); i > 0; i--)
            {
                _work.Add(SubscribeAsync(random.Next(2) == 0 ? "fuzz/a" : "fuzz/b", random.Next(1, 300)));
            }
        }

        public WsRestPeer Peer { get; }

        public static LiveClient Start(WebSocket socket, PeerSettings settings, Random random) => new(socket, settings, random);

        public async Task<List<string>> SettleAsync(TimeSpan timeout)
        {
            var findings = new List<string>();
            await _closing.CancelAsync();
            _pubSub.Close();
            if (!await Completes(Task.WhenAll(_work), timeout))
            {
                findings.Add($"Client: hang: {_work.Count(static t => !t.IsCompleted)} of the client's own requests or subscriptions never ended after the connection closed");
            }

            await Check(findings, "Client", "streams left in the stream table", () => Peer.ActiveStreamCount, timeout);
            await Check(findings, "Client", "bytes left in the write backlog", () => Peer.Backlog.Bytes, timeout);
            await Check(findings, "Client", "reverse calls still running in the handler", () => _handler.Running, timeout);
            findings.AddRange(_untyped);
            return findings;
        }

        public async ValueTask DisposeAsync()
        {
            await Peer.DisposeAsync();
            _closing.Dispose();
        }

        /// <summary>A request of the client's own; any outcome is fine except an untyped exception.</summary>
        private async Task SendAsync(int shape, int cancelAfterMs)
        {
            await Task.Yield();
            using var cancel = new CancellationTokenSource(cancelAfterMs);
            using var request = new HttpRequestMessage(shape == 0 ? HttpMethod.Get : HttpMethod.Post, "http://fuzz/echo");
            if (shape != 0)
            {
                request.Content = shape == 3 ? new StreamContent(new MemoryStream(new byte[40 * 1024])) : new ByteArrayContent(new byte[shape * 700]);
            }

            try
            {
                using var response = await HttpRequestSender.SendAsync(Peer, request, cancel.Token);
                await response.Content.ReadAsByteArrayAsync(cancel.Token);
            }
            catch (Exception exception) when (exception is HttpRequestException or HttpIOException or OperationCanceledException)
            {
                // Typed failures are what the fuzzer's answers are meant to cause.
            }
            catch (Exception exception)
            {
                _untyped.Enqueue($"Client: crash: a request failed with {exception.GetType().Name} at {exception.TargetSite?.DeclaringType?.Name}.{exception.TargetSite?.Name}: {exception.Message}");
            }
        }

        private async Task SubscribeAsync(string topic, int cancelAfterMs)
        {
            await Task.Yield();
            using var cancel = new CancellationTokenSource(cancelAfterMs);
            try
            {
                await using var subscription = await _pubSub.SubscribeAsync(topic, static (_, _) => ValueTask.CompletedTask, cancel.Token);
                // A refusal after the subscription was live ends it through Completion (docs/pubsub.md); an app
                // that cares observes it, and so does this one, so only unobserved tasks of the library count.
                _ = subscription.Completion.ContinueWith(static t => _ = t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
                await Task.Delay(cancelAfterMs, _closing.Token);
            }
            catch (Exception exception) when (exception is HttpRequestException or OperationCanceledException or UnauthorizedAccessException)
            {
                // A refused, failed or abandoned subscription.
            }
            catch (ObjectDisposedException) when (_closing.IsCancellationRequested)
            {
                // The session closed the client's pub/sub while this subscription was still being set up.
            }
            catch (Exception exception)
            {
                _untyped.Enqueue($"Client: crash: a subscription failed with {exception.GetType().Name} at {exception.TargetSite?.DeclaringType?.Name}.{exception.TargetSite?.Name}: {exception.Message}");
            }
        }
    }

    private static async Task Check(List<string> findings, string role, string what, Func<long> count, TimeSpan timeout)
    {
        if (!await Eventually(() => count() == 0, timeout))
        {
            findings.Add($"{role}: leak: {count()} {what}");
        }
    }
}
