using System.Net;
using PetStore.Client;

namespace PetStore.Demo;

/// <summary>A demo step whose call must fail with a given status and a problem details body, as the generated client reports it.</summary>
internal static class ProblemStep
{
    /// <summary>
    /// Runs <paramref name="call"/>, which must throw <see cref="ApiException{TResult}"/> with <paramref name="expected"/>;
    /// if it returns instead, what it returns describes the unexpected success in the failure message.
    /// </summary>
    public static async Task ExpectAsync<TProblem>(
        DemoLog log,
        string title,
        HttpStatusCode expected,
        Func<Task<string>> call,
        Func<TProblem, DemoProblem> read,
        Func<DemoProblem, bool> isExpected)
    {
        var problem = await log.StepAsync(title, async () =>
        {
            try
            {
                var unexpected = await call().ConfigureAwait(false);
                throw new DemoFailedException($"Expected {(int)expected} {expected} but {unexpected}.");
            }
            catch (ApiException<TProblem> ex) when (ex.StatusCode == (int)expected)
            {
                DemoExpect.That(ex.Result is not null, $"The {(int)expected} response carried no problem details.");
                var problem = read(ex.Result!);
                DemoExpect.That(isExpected(problem), $"The problem details are not the expected ones: {problem.Title}.");
                return (problem, $"{(int)expected} {expected}, as expected");
            }
        }).ConfigureAwait(false);

        log.Detail($"problem: type={problem.Type} title=\"{problem.Title}\" status={problem.Status}" + (problem.Detail is null ? string.Empty : $" detail=\"{problem.Detail}\""));
        foreach (var (field, messages) in problem.Errors ?? new Dictionary<string, ICollection<string>>())
        {
            log.Detail($"errors.{field}: {string.Join(" ", messages)}");
        }
    }
}
