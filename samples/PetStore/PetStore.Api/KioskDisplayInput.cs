using System.ComponentModel.DataAnnotations;

namespace PetStore.Api;

// These XML docs become descriptions in the OpenAPI document, so they are written for API clients.

/// <summary>The body of a set-display (PUT) request.</summary>
public sealed class KioskDisplayInput
{
    /// <summary>The text to show: required; the kiosk refuses text longer than it can show (200 characters).</summary>
    [Required]
    public string? Text { get; init; }
}
