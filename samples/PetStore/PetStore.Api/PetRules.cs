namespace PetStore.Api;

/// <summary>Limits on pet data, shared by the validator and the OpenAPI annotations.</summary>
public static class PetRules
{
    /// <summary>The longest name a pet may have.</summary>
    public const int MaxNameLength = 100;
}
