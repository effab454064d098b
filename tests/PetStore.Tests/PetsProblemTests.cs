using System.Net;
using System.Net.Http.Json;
using System.Text;
using PetStore.Api;

namespace PetStore.Tests;

/// <summary>Validation errors (400) and missing pets (404) come back as problem details over each transport.</summary>
[TestFixture(Transport.Http)]
[TestFixture(Transport.WsRest)]
public sealed class PetsProblemTests(Transport transport) : TransportFixture(transport)
{
    private const long MissingId = 987_654_321;

    [Test]
    public async Task CreateWithoutANameAndWithAnUnknownStatusIsAValidationProblem()
    {
        using var timeout = TestTimeout.Create();
        using var response = await Http.PostAsJsonAsync("pets", new PetInput { Status = "lost" }, PetStoreJsonContext.Default.PetInput, timeout.Token);

        var problem = await Problems.ReadAsync(response, HttpStatusCode.BadRequest, timeout.Token);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(Problems.ErrorFields(problem), Is.EquivalentTo((string[])["name", "status"]));
            Assert.That(problem.GetProperty("errors").GetProperty("status")[0].GetString(), Does.Contain("available, pending, sold"));
        }
    }

    [Test]
    public async Task CreateWithANameOverTheLimitIsAValidationProblem()
    {
        using var timeout = TestTimeout.Create();
        var input = new PetInput { Name = new string('x', PetRules.MaxNameLength + 1), Status = PetStatus.Sold };
        using var response = await Http.PostAsJsonAsync("pets", input, PetStoreJsonContext.Default.PetInput, timeout.Token);

        var problem = await Problems.ReadAsync(response, HttpStatusCode.BadRequest, timeout.Token);
        Assert.That(Problems.ErrorFields(problem), Is.EqualTo((string[])["name"]));
        Assert.That(problem.GetProperty("errors").GetProperty("name")[0].GetString(), Does.Contain("100"));
    }

    [Test]
    public async Task UpdateWithInvalidInputIsAValidationProblemAndChangesNothing()
    {
        using var timeout = TestTimeout.Create();
        var ct = timeout.Token;
        using var created = await Http.PostAsJsonAsync("pets", new PetInput { Name = "Keep" }, PetStoreJsonContext.Default.PetInput, ct);
        var pet = await created.Content.ReadFromJsonAsync(PetStoreJsonContext.Default.Pet, ct);

        using var response = await Http.PutAsJsonAsync($"pets/{pet!.Id}", new PetInput { Name = " " }, PetStoreJsonContext.Default.PetInput, ct);

        var problem = await Problems.ReadAsync(response, HttpStatusCode.BadRequest, ct);
        Assert.That(Problems.ErrorFields(problem), Is.EqualTo((string[])["name"]));
        var after = await Http.GetFromJsonAsync($"pets/{pet.Id}", PetStoreJsonContext.Default.Pet, ct);
        Assert.That(after!.Name, Is.EqualTo("Keep"));
    }

    [Test]
    public async Task ListWithAnUnknownStatusFilterIsAValidationProblem()
    {
        using var timeout = TestTimeout.Create();
        using var response = await Http.GetAsync("pets?status=lost", timeout.Token);

        var problem = await Problems.ReadAsync(response, HttpStatusCode.BadRequest, timeout.Token);
        Assert.That(Problems.ErrorFields(problem), Is.EqualTo((string[])["status"]));
    }

    [Test]
    public async Task AMalformedJsonBodyIsABadRequestProblem()
    {
        using var timeout = TestTimeout.Create();
        using var content = new StringContent("{\"name\": ", Encoding.UTF8, "application/json");
        using var response = await Http.PostAsync("pets", content, timeout.Token);

        await Problems.ReadAsync(response, HttpStatusCode.BadRequest, timeout.Token);
    }

    [TestCase("GET")]
    [TestCase("PUT")]
    [TestCase("DELETE")]
    public async Task AMissingPetIsA404Problem(string method)
    {
        using var timeout = TestTimeout.Create();
        using var request = new HttpRequestMessage(new HttpMethod(method), $"pets/{MissingId}");
        if (method == "PUT")
        {
            request.Content = JsonContent.Create(new PetInput { Name = "Ghost" }, PetStoreJsonContext.Default.PetInput);
        }

        using var response = await Http.SendAsync(request, timeout.Token);

        var problem = await Problems.ReadAsync(response, HttpStatusCode.NotFound, timeout.Token);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(problem.GetProperty("title").GetString(), Is.EqualTo("Pet not found"));
            Assert.That(problem.GetProperty("detail").GetString(), Does.Contain(MissingId.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        }
    }

    [Test]
    public async Task AnUnknownRouteIsA404ProblemFromTheStatusCodePages()
    {
        using var timeout = TestTimeout.Create();
        using var response = await Http.GetAsync("no-such-resource", timeout.Token);

        await Problems.ReadAsync(response, HttpStatusCode.NotFound, timeout.Token);
    }
}
