namespace PetStore.Api;

/// <summary>The statuses a <see cref="Pet"/> may have.</summary>
public static class PetStatus
{
    /// <summary>The pet can be bought.</summary>
    public const string Available = "available";

    /// <summary>Someone is buying the pet.</summary>
    public const string Pending = "pending";

    /// <summary>The pet has a new home.</summary>
    public const string Sold = "sold";

    /// <summary>Every valid status, in lifecycle order.</summary>
    public static IReadOnlyList<string> All { get; } = [Available, Pending, Sold];

    /// <summary>Whether <paramref name="status"/> is one of <see cref="All"/> (exact, lower case).</summary>
    public static bool IsValid(string? status) => status is Available or Pending or Sold;
}
