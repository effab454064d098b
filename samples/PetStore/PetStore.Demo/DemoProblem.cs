using PetStore.Client;

namespace PetStore.Demo;

/// <summary>The fields of an RFC 9457 problem details body the demo prints, from either generated problem type.</summary>
internal sealed record DemoProblem(string? Type, string? Title, int? Status, string? Detail, IDictionary<string, ICollection<string>>? Errors)
{
    public static DemoProblem From(ProblemDetails problem)
        => new(problem.Type, problem.Title, problem.Status, problem.Detail, Errors: null);

    public static DemoProblem From(HttpValidationProblemDetails problem)
        => new(problem.Type, problem.Title, problem.Status, problem.Detail, problem.Errors);
}
