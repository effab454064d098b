namespace PetStore.Demo;

/// <summary>An RFC 9457 problem details body as the PetStore API returns it (validation errors included).</summary>
public sealed class ApiProblem
{
    /// <summary>A URI reference that identifies the problem type.</summary>
    public string? Type { get; init; }

    /// <summary>A short summary of the problem type.</summary>
    public string? Title { get; init; }

    /// <summary>The HTTP status code.</summary>
    public int? Status { get; init; }

    /// <summary>An explanation specific to this occurrence.</summary>
    public string? Detail { get; init; }

    /// <summary>A URI reference that identifies this occurrence.</summary>
    public string? Instance { get; init; }

    /// <summary>Validation errors by field name (only on validation problems).</summary>
    public Dictionary<string, string[]>? Errors { get; init; }
}
