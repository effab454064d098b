namespace PetStore.Api;

/// <summary>
/// The store's pets, in memory. Thread-safe: every operation takes one short lock and pets are
/// immutable records, so readers never see a half-updated pet. Ids are never reused.
/// </summary>
public sealed class PetRepository
{
    private readonly Lock _gate = new();
    private readonly SortedDictionary<long, Pet> _pets = [];
    private long _lastId;

    /// <summary>Creates an empty repository.</summary>
    public PetRepository()
    {
    }

    /// <summary>Creates a repository holding a few well-known pets (ids 1, 2, 3).</summary>
    public static PetRepository CreateSeeded()
    {
        var repository = new PetRepository();
        repository.Add(new PetInput { Name = "Rex", Status = PetStatus.Available, Tags = ["dog"] });
        repository.Add(new PetInput { Name = "Tom", Status = PetStatus.Pending, Tags = ["cat"] });
        repository.Add(new PetInput { Name = "Nemo", Status = PetStatus.Sold, Tags = ["fish", "small"] });
        return repository;
    }

    /// <summary>Pets ordered by id, optionally only those with <paramref name="status"/> and/or the tag <paramref name="tag"/> (case-insensitive).</summary>
    public IReadOnlyList<Pet> List(string? status = null, string? tag = null)
    {
        lock (_gate)
        {
            var result = new List<Pet>(_pets.Count);
            foreach (var pet in _pets.Values)
            {
                if ((status is null || pet.Status == status) && (tag is null || HasTag(pet, tag)))
                {
                    result.Add(pet);
                }
            }

            return result;
        }
    }

    /// <summary>The pet with <paramref name="id"/>, or null.</summary>
    public Pet? Find(long id)
    {
        lock (_gate)
        {
            return _pets.GetValueOrDefault(id);
        }
    }

    /// <summary>Adds a pet from validated input and returns it with its new id.</summary>
    public Pet Add(PetInput input)
    {
        ArgumentNullException.ThrowIfNull(input);
        lock (_gate)
        {
            var pet = ToPet(++_lastId, input);
            _pets.Add(pet.Id, pet);
            return pet;
        }
    }

    /// <summary>Replaces the pet with <paramref name="id"/> from validated input; null when there is no such pet.</summary>
    public Pet? Update(long id, PetInput input)
    {
        ArgumentNullException.ThrowIfNull(input);
        lock (_gate)
        {
            if (!_pets.ContainsKey(id))
            {
                return null;
            }

            var pet = ToPet(id, input);
            _pets[id] = pet;
            return pet;
        }
    }

    /// <summary>Removes the pet with <paramref name="id"/>; false when there was none.</summary>
    public bool Remove(long id)
    {
        lock (_gate)
        {
            return _pets.Remove(id);
        }
    }

    private static Pet ToPet(long id, PetInput input)
        => new(id, input.Name!, input.Status ?? PetStatus.Available, input.Tags?.ToArray() ?? []);

    private static bool HasTag(Pet pet, string tag)
    {
        foreach (var candidate in pet.Tags)
        {
            if (string.Equals(candidate, tag, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        return false;
    }
}
