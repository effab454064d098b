namespace PetStore.Api;

/// <summary>The event of <see cref="PetEvents.Deleted"/>: <c>{ "id": 4 }</c>.</summary>
/// <param name="Id">The id of the pet that was removed.</param>
public sealed record PetDeleted(long Id);
