using System.Net;
using System.Text.Json;
using PetStore.Api;

namespace PetStore.Tests;

/// <summary>The OpenAPI document is served over each transport and describes the pets operations with typed responses.</summary>
[TestFixture(Transport.Http)]
[TestFixture(Transport.WsRest)]
public sealed class OpenApiDocumentTests(Transport transport) : TransportFixture(transport)
{
    private JsonElement _document;

    [OneTimeSetUp]
    public async Task FetchDocumentAsync()
    {
        using var timeout = TestTimeout.Create();
        using var response = await Http.GetAsync(PetStoreApp.OpenApiPath.TrimStart('/'), timeout.Token);
        var body = await response.Content.ReadAsStringAsync(timeout.Token);
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), body);
        Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/json"));
        _document = JsonDocument.Parse(body).RootElement.Clone();
    }

    [Test]
    public void IsAnOpenapi3Document()
        => Assert.That(_document.GetProperty("openapi").GetString(), Does.StartWith("3."));

    [Test]
    public void ListsEveryPetsOperationByName()
    {
        var paths = _document.GetProperty("paths");
        using (Assert.EnterMultipleScope())
        {
            Assert.That(OperationId(paths, "/pets", "get"), Is.EqualTo("ListPets"));
            Assert.That(OperationId(paths, "/pets", "post"), Is.EqualTo("CreatePet"));
            Assert.That(OperationId(paths, "/pets/{id}", "get"), Is.EqualTo("GetPet"));
            Assert.That(OperationId(paths, "/pets/{id}", "put"), Is.EqualTo("UpdatePet"));
            Assert.That(OperationId(paths, "/pets/{id}", "delete"), Is.EqualTo("DeletePet"));
        }
    }

    [Test]
    public void GetPetResponsesAreTyped()
    {
        var responses = Operation("/pets/{id}", "get").GetProperty("responses");
        using (Assert.EnterMultipleScope())
        {
            Assert.That(SchemaRef(responses.GetProperty("200"), "application/json"), Is.EqualTo("#/components/schemas/Pet"));
            Assert.That(SchemaRef(responses.GetProperty("404"), "application/problem+json"), Does.EndWith("/ProblemDetails"));
        }
    }

    [Test]
    public void CreatePetDeclaresItsBodyIts201AndItsValidationProblem()
    {
        var operation = Operation("/pets", "post");
        var responses = operation.GetProperty("responses");
        using (Assert.EnterMultipleScope())
        {
            Assert.That(SchemaRef(operation.GetProperty("requestBody"), "application/json"), Is.EqualTo("#/components/schemas/PetInput"));
            Assert.That(SchemaRef(responses.GetProperty("201"), "application/json"), Is.EqualTo("#/components/schemas/Pet"));
            Assert.That(SchemaRef(responses.GetProperty("400"), "application/problem+json"), Does.EndWith("/HttpValidationProblemDetails"));
        }
    }

    [Test]
    public void ListPetsTakesStatusAndTagQueryParameters()
    {
        var parameters = Operation("/pets", "get").GetProperty("parameters").EnumerateArray()
            .Where(p => p.GetProperty("in").GetString() == "query")
            .Select(p => p.GetProperty("name").GetString());
        Assert.That(parameters, Is.EquivalentTo((string[])["status", "tag"]));
    }

    [Test]
    public void ThePetSchemaHasItsProperties()
    {
        var pet = _document.GetProperty("components").GetProperty("schemas").GetProperty("Pet").GetProperty("properties");
        Assert.That(pet.EnumerateObject().Select(p => p.Name), Is.EquivalentTo((string[])["id", "name", "status", "tags"]));
    }

    private JsonElement Operation(string path, string method)
        => _document.GetProperty("paths").GetProperty(path).GetProperty(method);

    private static string? OperationId(JsonElement paths, string path, string method)
        => paths.TryGetProperty(path, out var item) && item.TryGetProperty(method, out var operation) && operation.TryGetProperty("operationId", out var id)
            ? id.GetString()
            : null;

    private static string? SchemaRef(JsonElement withContent, string mediaType)
        => withContent.TryGetProperty("content", out var content)
            && content.TryGetProperty(mediaType, out var media)
            && media.TryGetProperty("schema", out var schema)
            && schema.TryGetProperty("$ref", out var reference)
                ? reference.GetString()
                : null;
}
