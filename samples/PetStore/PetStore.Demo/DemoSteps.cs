using System.Net;
using PetStore.Client;
using PetStatus = PetStore.Api.PetStatus;

namespace PetStore.Demo;

/// <summary>The scripted CRUD walk through the PetStore API with the generated client; every step checks what it got back.</summary>
internal sealed class DemoSteps(IPetStoreClient client, DemoLog log)
{
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var initial = await log.StepAsync("GET /pets", async () =>
        {
            var pets = await client.ListPetsAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
            return (pets, $"200 OK, {pets.Count} pets");
        }).ConfigureAwait(false);
        PrintPets(initial);

        var created = await log.StepAsync("POST /pets {name: \"Bubbles\", tags: [fish]}", async () =>
        {
            var pet = await client.CreatePetAsync(new PetInput { Name = "Bubbles", Tags = ["fish"] }, cancellationToken).ConfigureAwait(false);
            DemoExpect.That(pet is { Name: "Bubbles", Status: PetStatus.Available }, $"Created {Describe(pet)}; expected Bubbles (available).");
            return (pet, $"201 Created {Describe(pet)}");
        }).ConfigureAwait(false);

        await log.StepAsync($"GET /pets/{created.Id}", async () =>
        {
            var pet = await client.GetPetAsync(created.Id, cancellationToken).ConfigureAwait(false);
            DemoExpect.That(pet.Id == created.Id && pet.Name == created.Name, $"Got {Describe(pet)}; expected {Describe(created)}.");
            return (pet, $"200 OK {Describe(pet)}");
        }).ConfigureAwait(false);

        await log.StepAsync($"PUT /pets/{created.Id} {{status: pending}}", async () =>
        {
            var input = new PetInput { Name = created.Name, Status = PetStatus.Pending, Tags = created.Tags };
            var pet = await client.UpdatePetAsync(created.Id, input, cancellationToken).ConfigureAwait(false);
            DemoExpect.That(pet.Status == PetStatus.Pending, $"Updated {Describe(pet)}; expected status pending.");
            return (pet, $"200 OK {Describe(pet)}");
        }).ConfigureAwait(false);

        await ProblemStep.ExpectAsync<HttpValidationProblemDetails>(log, "POST /pets {name: \"\", status: \"lost\"} (invalid)", HttpStatusCode.BadRequest,
            async () => $"got {Describe(await client.CreatePetAsync(new PetInput { Name = string.Empty, Status = "lost" }, cancellationToken).ConfigureAwait(false))}",
            DemoProblem.From,
            problem => problem.Errors is { } errors && errors.ContainsKey("name") && errors.ContainsKey("status")).ConfigureAwait(false);

        await log.StepAsync($"DELETE /pets/{created.Id}", async () =>
        {
            await client.DeletePetAsync(created.Id, cancellationToken).ConfigureAwait(false);
            return (true, "204 No Content");
        }).ConfigureAwait(false);

        await ProblemStep.ExpectAsync<ProblemDetails>(log, $"GET /pets/{created.Id} (just deleted)", HttpStatusCode.NotFound,
            async () => $"got {Describe(await client.GetPetAsync(created.Id, cancellationToken).ConfigureAwait(false))}",
            DemoProblem.From,
            problem => problem.Status == 404).ConfigureAwait(false);

        var remaining = await log.StepAsync("GET /pets", async () =>
        {
            var pets = await client.ListPetsAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
            DemoExpect.That(pets.All(p => p.Id != created.Id), $"{Describe(created)} is still listed after its deletion.");
            return (pets, $"200 OK, {pets.Count} pets");
        }).ConfigureAwait(false);
        PrintPets(remaining);

        await new ConcurrentProbe(client, log).RunAsync([.. remaining], cancellationToken).ConfigureAwait(false);
    }

    private void PrintPets(ICollection<Pet> pets)
    {
        foreach (var pet in pets)
        {
            log.Detail(Describe(pet));
        }
    }

    private static string Describe(Pet pet)
        => $"#{pet.Id} {pet.Name} ({pet.Status})" + (pet.Tags.Count == 0 ? string.Empty : $" [{string.Join(", ", pet.Tags)}]");
}
