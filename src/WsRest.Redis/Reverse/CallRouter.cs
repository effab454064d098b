using System.Buffers;
using System.Collections.Concurrent;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;
using WsRest.Redis.Connections;
using WsRest.Server;

namespace WsRest.Redis.Reverse;

/// <summary>
/// This node's end of cross-node reverse calls (docs/scale-out.md, "Reverse calls"): one Redis channel
/// per node carries every message of the calls it takes part in, read in order by one subscription;
/// the router hands each message to its call, starts an <see cref="OwnerCall"/> for each request, and
/// every <see cref="WsRestRedisOptions.HeartbeatInterval"/> sends a keep-alive for each call and fails
/// the calls whose peer has been silent for <see cref="WsRestRedisOptions.NodeTimeout"/>.
/// </summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Reliability", "CA1001", Justification = "The token source has no timer; it is cancelled at stop and holds nothing to release.")]
internal sealed class CallRouter(RedisBackplane backplane, IServiceProvider services, ILogger<CallRouter> logger)
{
    // Resolved at start, not injected: the registry's reverse-call handler needs the forwarder, which needs this router.
    private WsRestConnectionRegistry? _registry;
    private readonly ConcurrentDictionary<Guid, CallBase> _calls = new();
    private readonly CancellationTokenSource _stopping = new();
    private ChannelMessageQueue? _queue;
    private Task _sweeper = Task.CompletedTask;
    private Task _listening = Task.CompletedTask;

    public ILogger Logger => logger;

    public string NodeId => backplane.NodeId;

    public int ChunkSize => backplane.Options.ReverseCallChunkSize;

    public int Window => backplane.Options.ReverseCallWindow;

    /// <summary>Calls in progress on this node, both sides (tests and diagnostics).</summary>
    public int ActiveCalls => _calls.Count;

    /// <summary>Calls on this node whose body sender waits for the peer's credit (tests: back-pressure).</summary>
    public int CallsWaitingForCredit => _calls.Values.Count(c => c.WaitingForCredit);

    /// <summary>Starts listening on this node's channel; while Redis is unreachable it keeps trying in the background (the node starts anyway).</summary>
    public async Task StartAsync()
    {
        _registry = services.GetRequiredService<WsRestConnectionRegistry>();
        _sweeper = Task.Run(SweepAsync, CancellationToken.None);
        if (!await TryListenAsync().ConfigureAwait(false))
        {
            _listening = Task.Run(ListenAsync, CancellationToken.None);
        }
    }

    private async Task<bool> TryListenAsync()
    {
        try
        {
            var redis = await backplane.GetAsync().ConfigureAwait(false);
            _queue = await redis.GetSubscriber().SubscribeAsync(backplane.Keys.NodeChannel(backplane.NodeId)).ConfigureAwait(false);
            _queue.OnMessage(OnMessage);
            return true;
        }
        catch (Exception ex) when (RedisFailures.IsRedisFailure(ex))
        {
            // Until this succeeds, calls to connections on this node fail at the caller ("does not listen"), at once.
            CallLog.ListenFailed(logger, NodeId, ex);
            return false;
        }
    }

    private async Task ListenAsync()
    {
        try
        {
            do
            {
                await Task.Delay(backplane.Options.HeartbeatInterval, _stopping.Token).ConfigureAwait(false);
            }
            while (!await TryListenAsync().ConfigureAwait(false));
        }
        catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
        {
            // Stopped before Redis came back.
        }
    }

    /// <summary>Node stop: every call in progress fails, and the node stops listening.</summary>
    public async Task StopAsync()
    {
        await _stopping.CancelAsync().ConfigureAwait(false);
        await Task.WhenAll(_sweeper, _listening).ConfigureAwait(false);
        foreach (var call in _calls.Values)
        {
            call.Fail(new HttpRequestException(HttpRequestError.ConnectionError, $"Node {NodeId} is shutting down."));
        }

        if (_queue is { } queue)
        {
            try
            {
                await queue.UnsubscribeAsync().ConfigureAwait(false);
            }
            catch (Exception ex) when (RedisFailures.IsRedisFailure(ex))
            {
                CallLog.ControlNotSent(logger, "unsubscribe", Guid.Empty, NodeId, ex);
            }
        }
    }

    public void Add(CallBase call) => _calls[call.Id] = call;

    public void Remove(CallBase call) => _calls.TryRemove(new KeyValuePair<Guid, CallBase>(call.Id, call));

    /// <summary>Sends one message of call <paramref name="id"/> to <paramref name="node"/>.</summary>
    public async Task SendAsync(string node, CallMessageKind kind, Guid id, long number, ReadOnlyMemory<byte> payload)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(CallMessage.HeaderLength + payload.Length);
        try
        {
            CallMessage.WriteHeader(buffer, kind, id, number);
            payload.Span.CopyTo(buffer.AsSpan(CallMessage.HeaderLength));
            await PublishAsync(node, buffer.AsMemory(0, CallMessage.HeaderLength + payload.Length)).ConfigureAwait(false);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>Sends a control message without waiting; a failure is logged (the peer's timeout covers a lost one).</summary>
    public void SendInBackground(string node, CallMessageKind kind, Guid id) => _ = SendLoggedAsync(node, kind, id);

    /// <summary>Publishes a whole message; fails at once when Redis is unreachable or nobody on <paramref name="node"/> listens.</summary>
    public async Task PublishAsync(string node, ReadOnlyMemory<byte> message)
    {
        long receivers;
        try
        {
            var redis = await backplane.GetAsync().ConfigureAwait(false);
            receivers = await redis.GetSubscriber().PublishAsync(backplane.Keys.NodeChannel(node), message).ConfigureAwait(false);
        }
        catch (Exception ex) when (RedisFailures.IsRedisFailure(ex))
        {
            throw new HttpRequestException(HttpRequestError.ConnectionError, $"A cross-node reverse call could not reach node {node}: {RedisFailures.Wrap("sending to it", ex).Message}", ex);
        }

        if (receivers == 0)
        {
            throw new HttpRequestException(HttpRequestError.ConnectionError, $"Node {node} does not listen on Redis any more (it stopped or lost its Redis connection); the cross-node reverse call failed.");
        }
    }

    private async Task SendLoggedAsync(string node, CallMessageKind kind, Guid id)
    {
        try
        {
            await SendAsync(node, kind, id, 0, ReadOnlyMemory<byte>.Empty).ConfigureAwait(false);
        }
        catch (HttpRequestException ex)
        {
            CallLog.ControlNotSent(logger, kind.ToString(), id, node, ex);
        }
    }

    private void OnMessage(ChannelMessage message)
    {
        if (!CallMessage.TryParse((byte[])message.Message!, out var parsed))
        {
            CallLog.MalformedMessage(logger);
            return;
        }

        if (parsed.Kind == CallMessageKind.Request)
        {
            var head = JsonSerializer.Deserialize(parsed.Payload.Span, RedisJson.Default.RequestHead)!;
            var call = new OwnerCall(this, parsed.CallId, head, _registry!);
            if (_calls.TryAdd(call.Id, call))
            {
                _ = Task.Run(call.RunAsync, CancellationToken.None);
            }

            return;
        }

        // A message for a call that has ended here (a late credit, keep-alive or cancel) has nothing left to do.
        if (_calls.TryGetValue(parsed.CallId, out var target))
        {
            target.Receive(parsed);
        }
    }

    private async Task SweepAsync()
    {
        var timeout = (long)backplane.Options.NodeTimeout.TotalMilliseconds;
        using var timer = new PeriodicTimer(backplane.Options.HeartbeatInterval);
        try
        {
            while (await timer.WaitForNextTickAsync(_stopping.Token).ConfigureAwait(false))
            {
                foreach (var call in _calls.Values)
                {
                    var silence = call.SilentFor;
                    if (silence > timeout)
                    {
                        CallLog.PeerSilent(logger, call.Id, call.PeerNode, silence);
                        call.Fail(new HttpRequestException(HttpRequestError.ConnectionError, $"Node {call.PeerNode} has not been heard from for {silence} ms (NodeTimeout {timeout} ms): it stopped or lost its Redis connection, and the cross-node reverse call failed."));
                        Remove(call);
                    }
                    else
                    {
                        SendInBackground(call.PeerNode, CallMessageKind.KeepAlive, call.Id);
                    }
                }
            }
        }
        catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
        {
            // Stopping.
        }
    }
}
