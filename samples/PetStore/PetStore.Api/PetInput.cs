using System.ComponentModel.DataAnnotations;

namespace PetStore.Api;

// These XML docs become descriptions in the OpenAPI document, so they are written for API clients.
// The attributes put the rules into the schema; PetValidator enforces them (the 400 ValidationProblem).

/// <summary>The body of a create (POST) or update (PUT) request.</summary>
public sealed class PetInput
{
    /// <summary>The pet's name: required, 1 to 100 characters.</summary>
    [Required]
    [StringLength(PetRules.MaxNameLength, MinimumLength = 1)]
    public string? Name { get; init; }

    /// <summary>One of <c>available</c>, <c>pending</c>, <c>sold</c>; <c>available</c> when omitted.</summary>
    public string? Status { get; init; }

    /// <summary>Free-form tags; none when omitted.</summary>
    public IReadOnlyList<string>? Tags { get; init; }
}
