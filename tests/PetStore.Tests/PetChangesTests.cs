using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using PetStore.Api;
using WsRest.Server;

namespace PetStore.Tests;

/// <summary>
/// <see cref="PetChanges"/> applies a change and publishes its event under one gate, so events follow
/// the order in which changes were applied. A publisher that holds the first publish open makes the
/// race deterministic: a second change must wait for it instead of overtaking it.
/// </summary>
[TestFixture]
public sealed class PetChangesTests
{
    [Test]
    public async Task AChangeWaitsWhileTheEventOfTheChangeBeforeItIsStillBeingPublished()
    {
        using var timeout = TestTimeout.Create();
        var ct = timeout.Token;
        var repository = new PetRepository();
        var pet = repository.Add(new PetInput { Name = "Start" });
        var publisher = new HoldFirstPublisher();
        using var changes = new PetChanges(repository, publisher);

        var first = changes.UpdateAsync(pet.Id, new PetInput { Name = "First" }, ct);
        await publisher.FirstEntered.WaitAsync(ct);
        var second = changes.UpdateAsync(pet.Id, new PetInput { Name = "Second" }, ct);
        var nameWhileFirstIsPublishing = repository.Find(pet.Id)!.Name;
        publisher.ReleaseFirst();
        await Task.WhenAll(first, second).WaitAsync(ct);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(nameWhileFirstIsPublishing, Is.EqualTo("First"), "the second update waits until the first one's event is out");
            Assert.That(publisher.Published, Is.EqualTo((string[])["pets/updated First", "pets/updated Second"]));
            Assert.That(repository.Find(pet.Id)!.Name, Is.EqualTo("Second"), "the last event is the pet's state");
        }
    }

    [Test]
    public async Task OnlySuccessfulChangesArePublished()
    {
        using var timeout = TestTimeout.Create();
        var ct = timeout.Token;
        var publisher = new HoldFirstPublisher();
        publisher.ReleaseFirst();
        using var changes = new PetChanges(new PetRepository(), publisher);

        var added = await changes.AddAsync(new PetInput { Name = "Added" }, ct);
        var missingUpdate = await changes.UpdateAsync(added.Id + 1, new PetInput { Name = "Ghost" }, ct);
        var missingRemove = await changes.RemoveAsync(added.Id + 1, ct);
        var removed = await changes.RemoveAsync(added.Id, ct);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(missingUpdate, Is.Null);
            Assert.That(missingRemove, Is.False);
            Assert.That(removed, Is.True);
            Assert.That(publisher.Published, Is.EqualTo((string[])["pets/created Added", $"pets/deleted {{\"id\":{added.Id}}}"]));
        }
    }

    /// <summary>Records what is published (a pet by name, anything else as its JSON); the first publish waits for <see cref="ReleaseFirst"/>.</summary>
    private sealed class HoldFirstPublisher : IWsRestPublisher
    {
        private readonly TaskCompletionSource _firstEntered = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly TaskCompletionSource _release = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly Lock _lock = new();
        private readonly List<string> _published = [];
        private int _calls;

        public Task FirstEntered => _firstEntered.Task;

        public IReadOnlyList<string> Published
        {
            get
            {
                lock (_lock)
                {
                    return [.. _published];
                }
            }
        }

        public void ReleaseFirst() => _release.TrySetResult();

        public ValueTask<long> PublishAsync(string topic, ReadOnlyMemory<byte> data, string contentType = "application/octet-stream", CancellationToken cancellationToken = default)
            => throw new NotSupportedException("The store publishes JSON with source-generated metadata.");

        public async ValueTask<long> PublishAsJsonAsync<T>(string topic, T value, JsonTypeInfo<T> typeInfo, CancellationToken cancellationToken = default)
        {
            if (Interlocked.Increment(ref _calls) == 1)
            {
                _firstEntered.TrySetResult();
                await _release.Task.WaitAsync(cancellationToken);
            }

            lock (_lock)
            {
                _published.Add($"{topic} {(value is Pet pet ? pet.Name : JsonSerializer.Serialize(value, typeInfo))}");
                return _published.Count;
            }
        }

        public ValueTask<long> PublishAsJsonAsync<T>(string topic, T value, JsonSerializerOptions? options = null, CancellationToken cancellationToken = default)
            => throw new NotSupportedException("The store publishes JSON with source-generated metadata.");
    }
}
