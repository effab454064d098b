namespace PetStore.Api;

// These XML docs become descriptions in the OpenAPI document, so they are written for API clients.

/// <summary>A pet in the store, as the API returns it.</summary>
/// <param name="Id">The pet's id, assigned by the store.</param>
/// <param name="Name">The pet's name (1 to 100 characters).</param>
/// <param name="Status">One of `available`, `pending`, `sold`.</param>
/// <param name="Tags">Free-form tags, e.g. the species.</param>
public sealed record Pet(long Id, string Name, string Status, IReadOnlyList<string> Tags);
