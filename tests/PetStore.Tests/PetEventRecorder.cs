using System.Text;
using PetStore.Api;
using WsRest;
using WsRest.Client;

namespace PetStore.Tests;

/// <summary>One delivery a <see cref="PetEventRecorder"/> received, with its payload as text.</summary>
internal sealed record RecordedEvent(string Topic, WsRestEventKind Kind, long Sequence, string ContentType, string Payload)
{
    /// <summary>The payload as a pet (created and updated events).</summary>
    public Pet? ReadPet() => System.Text.Json.JsonSerializer.Deserialize(Payload, PetStoreJsonContext.Default.Pet);
}

/// <summary>
/// A watcher for tests: subscribes to every <see cref="PetEvents"/> topic on a connection and records what
/// arrives. <see cref="StartSequence"/> is where each topic stood when its subscription became live, so
/// the next event on it must be <c>StartSequence + 1</c>: an event published by anyone in between
/// (say, by a request that should have published nothing) would show as an earlier one.
/// </summary>
internal sealed class PetEventRecorder : IAsyncDisposable
{
    private readonly Lock _lock = new();
    private readonly List<RecordedEvent> _events = [];
    private readonly Dictionary<string, WsRestSubscription> _subscriptions = [];
    private readonly Dictionary<string, long> _start = [];
    private readonly TaskCompletionSource _closed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private (int Count, TaskCompletionSource Reached)? _waiter;

    private PetEventRecorder()
    {
    }

    /// <summary>Subscribes to every pet topic on <paramref name="connection"/>; returns once every subscription is live.</summary>
    public static async Task<PetEventRecorder> StartAsync(WsRestClient connection, CancellationToken cancellationToken)
    {
        var recorder = new PetEventRecorder();
        foreach (var topic in PetEvents.Topics)
        {
            var subscription = await connection.SubscribeAsync(topic, recorder.OnEventAsync, cancellationToken);
            recorder._subscriptions[topic] = subscription;

            // Live and nothing handled yet: the topic's last sequence when the server subscribed it.
            recorder._start[topic] = subscription.LastSequence;
        }

        return recorder;
    }

    /// <summary>The topic's last sequence number when the subscription became live.</summary>
    public long StartSequence(string topic) => _start[topic];

    /// <summary>What arrived on <paramref name="topic"/>, in the order the handler saw it.</summary>
    public IReadOnlyList<RecordedEvent> On(string topic)
    {
        lock (_lock)
        {
            return [.. _events.Where(e => e.Topic == topic)];
        }
    }

    /// <summary>Everything that arrived, on any topic.</summary>
    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _events.Count;
            }
        }
    }

    /// <summary>Completes once at least <paramref name="count"/> deliveries arrived (on any topic).</summary>
    public Task WaitForCountAsync(int count, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            if (_events.Count >= count)
            {
                return Task.CompletedTask;
            }

            Assert.That(_waiter, Is.Null, "one wait at a time");
            _waiter = (count, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
            return _waiter.Value.Reached.Task.WaitAsync(cancellationToken);
        }
    }

    /// <summary>
    /// Unsubscribes from every topic. Completes once each server acknowledged and every event published
    /// before that was recorded, so afterwards the record is complete: asserting "exactly these" is sound.
    /// </summary>
    public async Task UnsubscribeAsync(CancellationToken cancellationToken)
    {
        await Task.WhenAll(_subscriptions.Values.Select(s => s.DisposeAsync().AsTask())).WaitAsync(cancellationToken);
        _closed.TrySetResult();
    }

    public async ValueTask DisposeAsync()
    {
        if (!_closed.Task.IsCompleted)
        {
            using var timeout = TestTimeout.Create();
            await UnsubscribeAsync(timeout.Token);
        }
    }

    private ValueTask OnEventAsync(WsRestEvent e, CancellationToken cancellationToken)
    {
        // The payload is only valid during the call: keep a copy.
        var recorded = new RecordedEvent(e.Topic, e.Kind, e.Sequence, e.ContentType, Encoding.UTF8.GetString(e.Data.Span));
        TaskCompletionSource? reached = null;
        lock (_lock)
        {
            _events.Add(recorded);
            if (_waiter is { } waiter && _events.Count >= waiter.Count)
            {
                reached = waiter.Reached;
                _waiter = null;
            }
        }

        reached?.TrySetResult();
        return ValueTask.CompletedTask;
    }
}
