namespace PetStore.Api;

/// <summary>
/// The pub/sub topics the store publishes on (over the same WsRest socket as the API). Each event is
/// JSON with <see cref="PetStoreJsonContext"/>: the created or updated <see cref="Pet"/>, or a
/// <see cref="PetDeleted"/>. An event is published only when its change succeeded.
/// </summary>
public static class PetEvents
{
    /// <summary>A pet was added; the event is the new <see cref="Pet"/>.</summary>
    public const string Created = "pets/created";

    /// <summary>A pet was replaced; the event is the updated <see cref="Pet"/>.</summary>
    public const string Updated = "pets/updated";

    /// <summary>A pet was removed; the event is a <see cref="PetDeleted"/>.</summary>
    public const string Deleted = "pets/deleted";

    /// <summary>Every pet topic, in lifecycle order.</summary>
    public static IReadOnlyList<string> Topics { get; } = [Created, Updated, Deleted];
}
