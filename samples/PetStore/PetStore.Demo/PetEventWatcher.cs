using System.Text.Json;
using PetStore.Api;
using WsRest;
using WsRest.Client;

namespace PetStore.Demo;

/// <summary>One delivery the watcher received: a pet event, or a notice that events were lost.</summary>
/// <param name="Topic">The topic (<see cref="PetEvents"/>).</param>
/// <param name="Sequence">The event's sequence number in its topic; for a gap, the last one lost.</param>
/// <param name="PetId">The pet the event is about (null for a gap or an unreadable payload).</param>
/// <param name="Pet">The created or updated pet (null for <see cref="PetEvents.Deleted"/>, a gap or an unreadable payload).</param>
/// <param name="IsGap">Whether events were lost instead (<see cref="WsRestEventKind.Gap"/>).</param>
internal sealed record SeenEvent(string Topic, long Sequence, long? PetId, Pet? Pet, bool IsGap);

/// <summary>
/// Watches the store's pet events on its own WsRest connection: subscribes to every
/// <see cref="PetEvents"/> topic, prints each event as it arrives (<c>[E] pets/created #2: #5 Bubbles (available)</c>),
/// and lets the demo wait, event-driven and bounded, for a given pet's event.
/// </summary>
/// <param name="client">The watcher's connection.</param>
/// <param name="output">Where events are printed; handlers of different topics run concurrently, so it must be thread-safe (<see cref="TextWriter.Synchronized"/>).</param>
internal sealed class PetEventWatcher(WsRestClient client, TextWriter output)
{
    private readonly Lock _lock = new();
    private readonly List<SeenEvent> _seen = [];
    private readonly List<(Func<SeenEvent, bool> Match, TaskCompletionSource<SeenEvent> Found)> _waiters = [];
    private readonly List<WsRestSubscription> _subscriptions = [];

    /// <summary>Every delivery so far, per topic in sequence order.</summary>
    public IReadOnlyList<SeenEvent> Seen
    {
        get
        {
            lock (_lock)
            {
                return [.. _seen];
            }
        }
    }

    /// <summary>Subscribes to every pet topic; returns once each subscription is live (the server acknowledged it).</summary>
    public async Task SubscribeAsync(CancellationToken cancellationToken)
    {
        foreach (var topic in PetEvents.Topics)
        {
            _subscriptions.Add(await client.SubscribeAsync(topic, OnEventAsync, cancellationToken).ConfigureAwait(false));
        }
    }

    /// <summary>
    /// The first delivery on <paramref name="topic"/> about pet <paramref name="petId"/>, already received
    /// or still to come; fails after <paramref name="timeout"/>.
    /// </summary>
    public async Task<SeenEvent> WaitForAsync(string topic, long petId, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var found = new TaskCompletionSource<SeenEvent>(TaskCreationOptions.RunContinuationsAsynchronously);
        (Func<SeenEvent, bool> Match, TaskCompletionSource<SeenEvent> Found) waiter = (e => e.Topic == topic && e.PetId == petId, found);
        lock (_lock)
        {
            if (_seen.FirstOrDefault(waiter.Match) is { } seen)
            {
                return seen;
            }

            _waiters.Add(waiter);
        }

        try
        {
            return await found.Task.WaitAsync(timeout, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            throw new DemoFailedException($"The watcher did not receive {topic} for pet #{petId} within {timeout.TotalSeconds:0} s.");
        }
        finally
        {
            lock (_lock)
            {
                _waiters.Remove(waiter);
            }
        }
    }

    /// <summary>
    /// Unsubscribes from every topic. Each completes once the server has acknowledged and every event
    /// published before that has been handled (printed); fails after <paramref name="timeout"/>.
    /// </summary>
    public async Task UnsubscribeAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        try
        {
            await Task.WhenAll(_subscriptions.Select(s => s.DisposeAsync().AsTask())).WaitAsync(timeout, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            throw new DemoFailedException($"Unsubscribing did not complete within {timeout.TotalSeconds:0} s.");
        }

        _subscriptions.Clear();
    }

    /// <summary>Describes a pet as the demo prints it: <c>#5 Bubbles (available) [fish]</c>.</summary>
    public static string Describe(long id, string name, string status, IEnumerable<string> tags)
    {
        var list = string.Join(", ", tags);
        return $"#{id} {name} ({status})" + (list.Length == 0 ? string.Empty : $" [{list}]");
    }

    /// <summary>Runs serially per subscription, in sequence order; the three topics' handlers may run at the same time.</summary>
    private ValueTask OnEventAsync(WsRestEvent e, CancellationToken cancellationToken)
    {
        var (seen, text) = Read(e);
        output.WriteLine($"      [E] {e.Topic} {text}"); // indented like a step's details: it arrives while a step runs

        TaskCompletionSource<SeenEvent>[] found;
        lock (_lock)
        {
            _seen.Add(seen);
            found = [.. _waiters.Where(w => w.Match(seen)).Select(w => w.Found)];
        }

        foreach (var waiter in found)
        {
            waiter.TrySetResult(seen);
        }

        return ValueTask.CompletedTask;
    }

    private static (SeenEvent Seen, string Text) Read(WsRestEvent e)
    {
        if (e.Kind == WsRestEventKind.Gap)
        {
            return (new SeenEvent(e.Topic, e.Sequence, null, null, IsGap: true), $"#{e.GapFrom}..#{e.GapTo}: lost (gap notice)");
        }

        try
        {
            if (e.Topic == PetEvents.Deleted && e.GetFromJson(PetStoreJsonContext.Default.PetDeleted) is { } deleted)
            {
                return (new SeenEvent(e.Topic, e.Sequence, deleted.Id, null, IsGap: false), $"#{e.Sequence}: pet #{deleted.Id}");
            }

            if (e.Topic != PetEvents.Deleted && e.GetFromJson(PetStoreJsonContext.Default.Pet) is { Name: not null, Status: not null, Tags: not null } pet)
            {
                return (new SeenEvent(e.Topic, e.Sequence, pet.Id, pet, IsGap: false), $"#{e.Sequence}: {Describe(pet.Id, pet.Name, pet.Status, pet.Tags)}");
            }
        }
        catch (JsonException)
        {
            // Reported below like any other payload the watcher cannot read.
        }

        return (new SeenEvent(e.Topic, e.Sequence, null, null, IsGap: false), $"#{e.Sequence}: unreadable payload ({e.ContentType}, {e.Data.Length} bytes)");
    }
}
