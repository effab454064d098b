using System.Net;
using System.Net.Http.Json;
using PetStore.Api;

namespace PetStore.Tests;

/// <summary>Create, read, update, delete and list, over each transport.</summary>
[TestFixture(Transport.Http)]
[TestFixture(Transport.WsRest)]
public sealed class PetsCrudTests(Transport transport) : TransportFixture(transport)
{
    private static readonly PetStoreJsonContext Json = PetStoreJsonContext.Default;

    [Test]
    public async Task CrudRoundTrip()
    {
        using var timeout = TestTimeout.Create();
        var ct = timeout.Token;

        using var create = await Http.PostAsJsonAsync("pets", new PetInput { Name = "Fluffy", Tags = ["cat", "crud"] }, Json.PetInput, ct);
        Assert.That(create.StatusCode, Is.EqualTo(HttpStatusCode.Created), await create.Content.ReadAsStringAsync(ct));
        var created = await create.Content.ReadFromJsonAsync(Json.Pet, ct);
        Assert.That(created, Is.Not.Null);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(created!.Name, Is.EqualTo("Fluffy"));
            Assert.That(created.Status, Is.EqualTo(PetStatus.Available), "status defaults to available");
            Assert.That(created.Tags, Is.EqualTo((string[])["cat", "crud"]));
            Assert.That(create.Headers.Location?.OriginalString, Is.EqualTo($"/pets/{created.Id}"));
        }

        var fetched = await Http.GetFromJsonAsync($"pets/{created.Id}", Json.Pet, ct);
        Assert.That(fetched, Is.EqualTo(created).Using<Pet>(SamePet));

        using var update = await Http.PutAsJsonAsync($"pets/{created.Id}", new PetInput { Name = "Fluffy II", Status = PetStatus.Sold, Tags = ["cat"] }, Json.PetInput, ct);
        Assert.That(update.StatusCode, Is.EqualTo(HttpStatusCode.OK), await update.Content.ReadAsStringAsync(ct));
        var updated = await update.Content.ReadFromJsonAsync(Json.Pet, ct);
        Assert.That(updated, Is.EqualTo(new Pet(created.Id, "Fluffy II", PetStatus.Sold, ["cat"])).Using<Pet>(SamePet));

        var refetched = await Http.GetFromJsonAsync($"pets/{created.Id}", Json.Pet, ct);
        Assert.That(refetched, Is.EqualTo(updated).Using<Pet>(SamePet), "GET after PUT returns the update");

        var sold = await Http.GetFromJsonAsync("pets?status=sold", Json.IReadOnlyListPet, ct);
        var available = await Http.GetFromJsonAsync("pets?status=available", Json.IReadOnlyListPet, ct);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(sold!.Select(p => p.Id), Does.Contain(created.Id));
            Assert.That(available!.Select(p => p.Id), Does.Not.Contain(created.Id));
        }

        using var delete = await Http.DeleteAsync($"pets/{created.Id}", ct);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(delete.StatusCode, Is.EqualTo(HttpStatusCode.NoContent));
            Assert.That(await delete.Content.ReadAsByteArrayAsync(ct), Is.Empty);
        }

        using var gone = await Http.GetAsync($"pets/{created.Id}", ct);
        await Problems.ReadAsync(gone, HttpStatusCode.NotFound, ct);

        var all = await Http.GetFromJsonAsync("pets", Json.IReadOnlyListPet, ct);
        Assert.That(all!.Select(p => p.Id), Does.Not.Contain(created.Id));
    }

    [Test]
    public async Task ListContainsTheSeededPetsInIdOrder()
    {
        using var timeout = TestTimeout.Create();
        var pets = await Http.GetFromJsonAsync("pets", Json.IReadOnlyListPet, timeout.Token);

        Assert.That(pets, Is.Not.Null);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(pets!.Select(p => p.Name), Is.SupersetOf((string[])["Rex", "Tom", "Nemo"]));
            Assert.That(pets!.Select(p => p.Id), Is.Ordered.Ascending);
        }
    }

    [Test]
    public async Task ListFiltersByStatusAndByTagIgnoringCase()
    {
        using var timeout = TestTimeout.Create();
        var ct = timeout.Token;
        var tag = "t" + Guid.NewGuid().ToString("N");
        using var first = await Http.PostAsJsonAsync("pets", new PetInput { Name = "A", Status = PetStatus.Pending, Tags = [tag] }, Json.PetInput, ct);
        using var second = await Http.PostAsJsonAsync("pets", new PetInput { Name = "B", Status = PetStatus.Sold, Tags = [tag] }, Json.PetInput, ct);
        Assert.That(new[] { first.StatusCode, second.StatusCode }, Is.All.EqualTo(HttpStatusCode.Created));

        var tagged = await Http.GetFromJsonAsync($"pets?tag={tag.ToUpperInvariant()}", Json.IReadOnlyListPet, ct);
        var taggedPending = await Http.GetFromJsonAsync($"pets?tag={tag}&status=pending", Json.IReadOnlyListPet, ct);
        var pending = await Http.GetFromJsonAsync("pets?status=pending", Json.IReadOnlyListPet, ct);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(tagged!.Select(p => p.Name), Is.EquivalentTo((string[])["A", "B"]));
            Assert.That(taggedPending!.Select(p => p.Name), Is.EqualTo((string[])["A"]));
            Assert.That(pending!.Select(p => p.Status), Is.All.EqualTo(PetStatus.Pending));
            Assert.That(pending!.Select(p => p.Name), Does.Contain("Tom").And.Contain("A"));
        }
    }

    [Test]
    public async Task ANameOfExactlyTheMaximumLengthIsAccepted()
    {
        using var timeout = TestTimeout.Create();
        var name = new string('x', PetRules.MaxNameLength);
        using var response = await Http.PostAsJsonAsync("pets", new PetInput { Name = name }, Json.PetInput, timeout.Token);

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Created), await response.Content.ReadAsStringAsync(timeout.Token));
        var pet = await response.Content.ReadFromJsonAsync(Json.Pet, timeout.Token);
        Assert.That(pet!.Name, Is.EqualTo(name));
    }

    private static bool SamePet(Pet? x, Pet? y)
        => x is not null && y is not null && x.Id == y.Id && x.Name == y.Name && x.Status == y.Status && x.Tags.SequenceEqual(y.Tags);
}
