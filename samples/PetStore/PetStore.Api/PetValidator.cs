namespace PetStore.Api;

/// <summary>Checks request input and reports errors keyed by JSON field name, as a ValidationProblem expects.</summary>
public static class PetValidator
{
    /// <summary>Validates a create or update body; returns an empty dictionary when it is valid.</summary>
    public static Dictionary<string, string[]> Validate(PetInput? input)
    {
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        if (input is null)
        {
            errors["body"] = ["A JSON body with the pet is required."];
            return errors;
        }

        if (string.IsNullOrWhiteSpace(input.Name))
        {
            errors["name"] = ["The name is required."];
        }
        else if (input.Name.Length > PetRules.MaxNameLength)
        {
            errors["name"] = [$"The name must be at most {PetRules.MaxNameLength} characters long."];
        }

        if (input.Status is not null)
        {
            AddStatusError(errors, input.Status);
        }

        if (input.Tags is { } tags && tags.Any(string.IsNullOrWhiteSpace))
        {
            errors["tags"] = ["Tags must not be empty."];
        }

        return errors;
    }

    /// <summary>Validates the <c>status</c> filter of a list request; returns an empty dictionary when it is valid or absent.</summary>
    public static Dictionary<string, string[]> ValidateStatusFilter(string? status)
    {
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        if (status is not null)
        {
            AddStatusError(errors, status);
        }

        return errors;
    }

    private static void AddStatusError(Dictionary<string, string[]> errors, string status)
    {
        if (!PetStatus.IsValid(status))
        {
            errors["status"] = [$"The status must be one of: {string.Join(", ", PetStatus.All)}."];
        }
    }
}
