using Microsoft.AspNetCore.Http.HttpResults;

namespace PetStore.Api;

/// <summary>
/// The <c>/pets</c> minimal API. Handlers are transport-agnostic: the same endpoints answer plain
/// HTTP and requests tunneled over WsRest. Every successful create, update and delete publishes an
/// event (<see cref="PetEvents"/>) through <see cref="PetChanges"/>, whoever called.
/// </summary>
public static class PetEndpoints
{
    /// <summary>Maps the pets route group onto <paramref name="routes"/>.</summary>
    public static RouteGroupBuilder MapPetEndpoints(this IEndpointRouteBuilder routes)
    {
        var pets = routes.MapGroup("/pets").WithTags("Pets");

        pets.MapGet("/", ListPets)
            .WithName("ListPets")
            .WithSummary("Lists pets, optionally filtered by status and tag.")
            .Produces<IReadOnlyList<Pet>>(StatusCodes.Status200OK)
            .ProducesValidationProblem();

        pets.MapGet("/{id:long}", GetPet)
            .WithName("GetPet")
            .WithSummary("Gets one pet.")
            .Produces<Pet>(StatusCodes.Status200OK)
            .ProducesProblem(StatusCodes.Status404NotFound);

        pets.MapPost("/", CreatePet)
            .WithName("CreatePet")
            .WithSummary("Adds a pet to the store.")
            .Produces<Pet>(StatusCodes.Status201Created)
            .ProducesValidationProblem();

        pets.MapPut("/{id:long}", UpdatePet)
            .WithName("UpdatePet")
            .WithSummary("Replaces a pet's data.")
            .Produces<Pet>(StatusCodes.Status200OK)
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status404NotFound);

        pets.MapDelete("/{id:long}", DeletePet)
            .WithName("DeletePet")
            .WithSummary("Removes a pet from the store.")
            .Produces(StatusCodes.Status204NoContent)
            .ProducesProblem(StatusCodes.Status404NotFound);

        return pets;
    }

    private static IResult ListPets(PetRepository repository, string? status = null, string? tag = null)
    {
        var errors = PetValidator.ValidateStatusFilter(status);
        return errors.Count > 0
            ? TypedResults.ValidationProblem(errors)
            : TypedResults.Ok(repository.List(status, tag));
    }

    private static IResult GetPet(PetRepository repository, long id)
        => repository.Find(id) is { } pet ? TypedResults.Ok(pet) : PetNotFound(id);

    private static async Task<IResult> CreatePet(PetChanges changes, PetInput input, CancellationToken cancellationToken)
    {
        var errors = PetValidator.Validate(input);
        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors);
        }

        var pet = await changes.AddAsync(input!, cancellationToken).ConfigureAwait(false);
        return TypedResults.Created($"/pets/{pet.Id}", pet);
    }

    private static async Task<IResult> UpdatePet(PetChanges changes, long id, PetInput input, CancellationToken cancellationToken)
    {
        var errors = PetValidator.Validate(input);
        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors);
        }

        return await changes.UpdateAsync(id, input!, cancellationToken).ConfigureAwait(false) is { } pet ? TypedResults.Ok(pet) : PetNotFound(id);
    }

    private static async Task<IResult> DeletePet(PetChanges changes, long id, CancellationToken cancellationToken)
        => await changes.RemoveAsync(id, cancellationToken).ConfigureAwait(false) ? TypedResults.NoContent() : PetNotFound(id);

    private static ProblemHttpResult PetNotFound(long id)
        => TypedResults.Problem(
            statusCode: StatusCodes.Status404NotFound,
            title: "Pet not found",
            detail: $"There is no pet with id {id}.");
}
