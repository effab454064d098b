using PetStore.Client;
using PetStatus = PetStore.Api.PetStatus;

namespace PetStore.Tests;

/// <summary>The NSwag-generated client, used unchanged over plain HTTP and over WsRest.</summary>
[TestFixture(Transport.Http)]
[TestFixture(Transport.WsRest)]
public sealed class GeneratedClientTests(Transport transport) : TransportFixture(transport)
{
    private const long MissingId = 987_654_321;

    private PetStoreClient Client => new(Http);

    [Test]
    public async Task CrudRoundTrip()
    {
        using var timeout = TestTimeout.Create();
        var ct = timeout.Token;

        var created = await Client.CreatePetAsync(new PetInput { Name = "Generated", Tags = ["nswag", "crud"] }, ct);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(created.Id, Is.Positive);
            Assert.That(created.Name, Is.EqualTo("Generated"));
            Assert.That(created.Status, Is.EqualTo(PetStatus.Available));
            Assert.That(created.Tags, Is.EqualTo((string[])["nswag", "crud"]));
        }

        var fetched = await Client.GetPetAsync(created.Id, ct);
        Assert.That(fetched.Name, Is.EqualTo("Generated"));

        var updated = await Client.UpdatePetAsync(created.Id, new PetInput { Name = "Generated II", Status = PetStatus.Sold, Tags = ["nswag"] }, ct);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(updated.Id, Is.EqualTo(created.Id));
            Assert.That(updated.Name, Is.EqualTo("Generated II"));
            Assert.That(updated.Status, Is.EqualTo(PetStatus.Sold));
        }

        var sold = await Client.ListPetsAsync(status: PetStatus.Sold, tag: "NSWAG", cancellationToken: ct);
        Assert.That(sold.Select(p => p.Id), Does.Contain(created.Id));

        await Client.DeletePetAsync(created.Id, ct);
        var all = await Client.ListPetsAsync(cancellationToken: ct);
        Assert.That(all.Select(p => p.Id), Does.Not.Contain(created.Id));
    }

    [Test]
    public async Task ListReturnsTheSeededPets()
    {
        using var timeout = TestTimeout.Create();

        var pets = await Client.ListPetsAsync(cancellationToken: timeout.Token);

        Assert.That(pets.Select(p => p.Name), Is.SupersetOf((string[])["Rex", "Tom", "Nemo"]));
    }

    [Test]
    public void InvalidInputThrowsTheTypedValidationProblem()
    {
        using var timeout = TestTimeout.Create();

        var error = Assert.ThrowsAsync<ApiException<HttpValidationProblemDetails>>(
            () => Client.CreatePetAsync(new PetInput { Name = string.Empty, Status = "lost" }, timeout.Token));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(error!.StatusCode, Is.EqualTo(400));
            Assert.That(error.Result.Status, Is.EqualTo(400));
            Assert.That(error.Result.Errors.Keys, Is.EquivalentTo((string[])["name", "status"]));
        }
    }

    [Test]
    public void AMissingPetThrowsTheTypedProblem()
    {
        using var timeout = TestTimeout.Create();

        var error = Assert.ThrowsAsync<ApiException<ProblemDetails>>(() => Client.GetPetAsync(MissingId, timeout.Token));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(error!.StatusCode, Is.EqualTo(404));
            Assert.That(error.Result.Title, Is.EqualTo("Pet not found"));
            Assert.That(error.Result.Detail, Does.Contain(MissingId.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        }
    }

    [Test]
    public void AnInvalidListFilterThrowsTheTypedValidationProblem()
    {
        using var timeout = TestTimeout.Create();

        var error = Assert.ThrowsAsync<ApiException<HttpValidationProblemDetails>>(() => Client.ListPetsAsync(status: "lost", cancellationToken: timeout.Token));

        Assert.That(error!.Result.Errors.Keys, Is.EqualTo((string[])["status"]));
    }

    [Test]
    public async Task ConcurrentCallsAllSucceed()
    {
        using var timeout = TestTimeout.Create();

        var pets = await Task.WhenAll(Enumerable.Range(0, 30).Select(i => Client.GetPetAsync(1 + (i % 3), timeout.Token)));

        Assert.That(pets.Select(p => p.Id), Is.EquivalentTo(Enumerable.Range(0, 30).Select(i => 1L + (i % 3))));
    }
}
