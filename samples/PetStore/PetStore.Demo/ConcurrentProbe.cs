using System.Diagnostics;
using PetStore.Client;

namespace PetStore.Demo;

/// <summary>Sends <see cref="Count"/> GET requests at once over the one connection and reports their timings.</summary>
internal sealed class ConcurrentProbe(IPetStoreClient client, DemoLog log)
{
    public const int Count = 20;

    public async Task RunAsync(IReadOnlyList<Pet> pets, CancellationToken cancellationToken)
    {
        var title = pets.Count == 0 ? $"{Count} concurrent GET /pets" : $"{Count} concurrent GET /pets/{{id}}";
        var timings = await log.StepAsync(title, async () =>
        {
            var calls = new Task<TimeSpan>[Count];
            for (var i = 0; i < Count; i++)
            {
                calls[i] = pets.Count == 0
                    ? TimeAsync(() => client.ListPetsAsync(cancellationToken: cancellationToken))
                    : TimeGetAsync(pets[i % pets.Count], cancellationToken);
            }

            var elapsed = await Task.WhenAll(calls).ConfigureAwait(false);
            return (elapsed, $"{Count}/{Count} OK");
        }).ConfigureAwait(false);

        Array.Sort(timings);
        log.Detail($"per request: min {DemoLog.FormatMs(timings[0])}, median {DemoLog.FormatMs(timings[Count / 2])}, max {DemoLog.FormatMs(timings[^1])}");
    }

    private async Task<TimeSpan> TimeGetAsync(Pet expected, CancellationToken cancellationToken)
    {
        var start = Stopwatch.GetTimestamp();
        var pet = await client.GetPetAsync(expected.Id, cancellationToken).ConfigureAwait(false);
        var elapsed = Stopwatch.GetElapsedTime(start);
        DemoExpect.That(pet.Id == expected.Id && pet.Name == expected.Name, $"GET /pets/{expected.Id} returned #{pet.Id} {pet.Name}.");
        return elapsed;
    }

    private static async Task<TimeSpan> TimeAsync<T>(Func<Task<T>> call)
    {
        var start = Stopwatch.GetTimestamp();
        await call().ConfigureAwait(false);
        return Stopwatch.GetElapsedTime(start);
    }
}
