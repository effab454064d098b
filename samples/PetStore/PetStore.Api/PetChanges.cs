using WsRest.Server;

namespace PetStore.Api;

/// <summary>
/// The store's changes to pets, each followed by its event (<see cref="PetEvents"/>). A change and its
/// publish run under one gate, so every topic's sequence numbers follow the order in which the
/// changes were applied: two concurrent updates of one pet are announced in the order the repository
/// took them, and the last <c>pets/updated</c> event is the pet's current state. Reads go to
/// <see cref="PetRepository"/> directly. The endpoints do not care who called (plain HTTP or WsRest).
/// </summary>
public sealed class PetChanges(PetRepository repository, IWsRestPublisher publisher) : IDisposable
{
    private readonly SemaphoreSlim _gate = new(1, 1);

    /// <summary>Adds a pet from validated input and publishes it on <see cref="PetEvents.Created"/>.</summary>
    public async Task<Pet> AddAsync(PetInput input, CancellationToken cancellationToken)
        => await ChangeAsync(() => repository.Add(input), pet => publisher.PublishAsJsonAsync(PetEvents.Created, pet, PetStoreJsonContext.Default.Pet, CancellationToken.None), cancellationToken).ConfigureAwait(false)
            ?? throw new InvalidOperationException("Adding a pet always gives a pet.");

    /// <summary>Replaces a pet from validated input and publishes it on <see cref="PetEvents.Updated"/>; null (and no event) when there is no such pet.</summary>
    public Task<Pet?> UpdateAsync(long id, PetInput input, CancellationToken cancellationToken)
        => ChangeAsync(() => repository.Update(id, input), pet => publisher.PublishAsJsonAsync(PetEvents.Updated, pet, PetStoreJsonContext.Default.Pet, CancellationToken.None), cancellationToken);

    /// <summary>Removes a pet and publishes <see cref="PetDeleted"/> on <see cref="PetEvents.Deleted"/>; false (and no event) when there was none.</summary>
    public async Task<bool> RemoveAsync(long id, CancellationToken cancellationToken)
        => await ChangeAsync<PetDeleted>(() => repository.Remove(id) ? new PetDeleted(id) : null, deleted => publisher.PublishAsJsonAsync(PetEvents.Deleted, deleted, PetStoreJsonContext.Default.PetDeleted, CancellationToken.None), cancellationToken).ConfigureAwait(false) is not null;

    /// <inheritdoc />
    public void Dispose() => _gate.Dispose();

    /// <summary>
    /// Applies <paramref name="change"/> and, when it returns a value, publishes that. Only waiting for
    /// the gate can be cancelled: once the change is made its event is published, even when the caller
    /// has gone away. A publish that fails (the in-memory bus does not; a backplane could) leaves the
    /// change made and fails the request (500).
    /// </summary>
    private async Task<T?> ChangeAsync<T>(Func<T?> change, Func<T, ValueTask<long>> publish, CancellationToken cancellationToken)
        where T : class
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (change() is not { } changed)
            {
                return null;
            }

            await publish(changed).ConfigureAwait(false);
            return changed;
        }
        finally
        {
            _gate.Release();
        }
    }
}
