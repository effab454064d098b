using PetEvents = PetStore.Api.PetEvents;
using PetStore.Client;
using PetStatus = PetStore.Api.PetStatus;

namespace PetStore.Demo;

/// <summary>
/// Pub/sub, scripted: the watcher subscribes to the pet topics; the generated client (on another
/// connection) creates, updates and deletes a pet; each change step waits until the watcher has printed
/// its event, so the event shows between the request and its outcome. Every step checks what it got back.
/// </summary>
internal sealed class EventsDemoSteps(IPetStoreClient client, PetEventWatcher watcher, DemoLog log)
{
    /// <summary>The pet the demo creates, changes and deletes.</summary>
    public const string PetName = "Bubbles";

    /// <summary>How long the demo waits for an event (or for the unsubscribes) before it fails.</summary>
    public static readonly TimeSpan EventTimeout = TimeSpan.FromSeconds(15);

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        await log.StepAsync($"watcher: subscribe to {string.Join(", ", PetEvents.Topics)}", async () =>
        {
            await watcher.SubscribeAsync(cancellationToken).ConfigureAwait(false);
            return (true, $"{PetEvents.Topics.Count} subscriptions live");
        }).ConfigureAwait(false);

        var created = await log.AnnouncedStepAsync($"POST /pets {{name: \"{PetName}\", tags: [fish]}}", async () =>
        {
            var pet = await client.CreatePetAsync(new PetInput { Name = PetName, Tags = ["fish"] }, cancellationToken).ConfigureAwait(false);
            DemoExpect.That(pet is { Name: PetName, Status: PetStatus.Available }, $"Created {Describe(pet)}; expected {PetName} (available).");
            var seen = await ExpectEventAsync(PetEvents.Created, pet, cancellationToken).ConfigureAwait(false);
            return (pet, $"201 Created {Describe(pet)}; the watcher got {PetEvents.Created} #{seen.Sequence}");
        }).ConfigureAwait(false);

        await log.AnnouncedStepAsync($"PUT /pets/{created.Id} {{status: pending}}", async () =>
        {
            var input = new PetInput { Name = created.Name, Status = PetStatus.Pending, Tags = created.Tags };
            var pet = await client.UpdatePetAsync(created.Id, input, cancellationToken).ConfigureAwait(false);
            DemoExpect.That(pet.Status == PetStatus.Pending, $"Updated {Describe(pet)}; expected status pending.");
            var seen = await ExpectEventAsync(PetEvents.Updated, pet, cancellationToken).ConfigureAwait(false);
            return (pet, $"200 OK {Describe(pet)}; the watcher got {PetEvents.Updated} #{seen.Sequence}");
        }).ConfigureAwait(false);

        await log.AnnouncedStepAsync($"DELETE /pets/{created.Id}", async () =>
        {
            await client.DeletePetAsync(created.Id, cancellationToken).ConfigureAwait(false);
            var seen = await watcher.WaitForAsync(PetEvents.Deleted, created.Id, EventTimeout, cancellationToken).ConfigureAwait(false);
            return (true, $"204 No Content; the watcher got {PetEvents.Deleted} #{seen.Sequence}");
        }).ConfigureAwait(false);

        await log.StepAsync($"watcher: wait until it has seen all {PetEvents.Topics.Count} events for #{created.Id}", async () =>
        {
            // Each change step already waited for its own event; this is the bounded wait for all of them.
            var seen = await Task.WhenAll(PetEvents.Topics.Select(topic => watcher.WaitForAsync(topic, created.Id, EventTimeout, cancellationToken))).ConfigureAwait(false);
            DemoExpect.That(seen.All(e => !e.IsGap), "The watcher was told that events were lost.");
            return (seen, $"{seen.Length} of {PetEvents.Topics.Count}: {string.Join(", ", seen.Select(e => $"{e.Topic} #{e.Sequence}"))}");
        }).ConfigureAwait(false);

        await log.StepAsync("watcher: unsubscribe", async () =>
        {
            await watcher.UnsubscribeAsync(EventTimeout, cancellationToken).ConfigureAwait(false);
            return (true, $"{PetEvents.Topics.Count} subscriptions closed");
        }).ConfigureAwait(false);
    }

    /// <summary>Waits for the watcher to receive <paramref name="topic"/> about <paramref name="expected"/> and checks its payload.</summary>
    private async Task<SeenEvent> ExpectEventAsync(string topic, Pet expected, CancellationToken cancellationToken)
    {
        var seen = await watcher.WaitForAsync(topic, expected.Id, EventTimeout, cancellationToken).ConfigureAwait(false);
        DemoExpect.That(
            seen.Pet is { } pet && pet.Name == expected.Name && pet.Status == expected.Status && pet.Tags.SequenceEqual(expected.Tags),
            $"The {topic} event carries {(seen.Pet is { } p ? PetEventWatcher.Describe(p.Id, p.Name, p.Status, p.Tags) : "no pet")}; expected {Describe(expected)}.");
        return seen;
    }

    private static string Describe(Pet pet) => PetEventWatcher.Describe(pet.Id, pet.Name, pet.Status, pet.Tags);
}
