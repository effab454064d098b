using System.Net;
using System.Text.Json;
using PetStore.Api;

namespace PetStore.Tests;

/// <summary>The OpenAPI document describes the kiosks operations with typed bodies and responses, so the generated client is typed too.</summary>
[TestFixture(Transport.Http)]
[TestFixture(Transport.WsRest)]
public sealed class KioskOpenApiTests(Transport transport) : TransportFixture(transport)
{
    private JsonElement _document;

    [OneTimeSetUp]
    public async Task FetchDocumentAsync()
    {
        using var timeout = TestTimeout.Create();
        using var response = await Http.GetAsync(PetStoreApp.OpenApiPath.TrimStart('/'), timeout.Token);
        var body = await response.Content.ReadAsStringAsync(timeout.Token);
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), body);
        _document = JsonDocument.Parse(body).RootElement.Clone();
    }

    [Test]
    public void ListKiosksReturnsAnArrayOfConnectedKiosks()
    {
        var operation = Operation("/kiosks", "get");
        var schema = operation.GetProperty("responses").GetProperty("200").GetProperty("content").GetProperty("application/json").GetProperty("schema");
        using (Assert.EnterMultipleScope())
        {
            Assert.That(operation.GetProperty("operationId").GetString(), Is.EqualTo("ListKiosks"));
            Assert.That(schema.GetProperty("type").GetString(), Is.EqualTo("array"));
            Assert.That(schema.GetProperty("items").GetProperty("$ref").GetString(), Is.EqualTo("#/components/schemas/ConnectedKiosk"));
            Assert.That(Properties("ConnectedKiosk"), Is.EquivalentTo((string[])["id", "name", "connectedAt"]));
        }
    }

    [Test]
    public void GetKioskStatusIsTypedForEveryOutcome()
    {
        var operation = Operation("/kiosks/{id}/status", "get");
        var responses = operation.GetProperty("responses");
        using (Assert.EnterMultipleScope())
        {
            Assert.That(operation.GetProperty("operationId").GetString(), Is.EqualTo("GetKioskStatus"));
            Assert.That(SchemaRef(responses, "200", "application/json"), Is.EqualTo("#/components/schemas/KioskStatus"));
            Assert.That(SchemaRef(responses, "404", "application/problem+json"), Does.EndWith("/ProblemDetails"));
            Assert.That(SchemaRef(responses, "502", "application/problem+json"), Does.EndWith("/ProblemDetails"));
            Assert.That(SchemaRef(responses, "504", "application/problem+json"), Does.EndWith("/ProblemDetails"));
            Assert.That(Properties("KioskStatus"), Is.EquivalentTo((string[])["name", "screen", "uptimeSeconds", "servedBy"]));
        }
    }

    [Test]
    public void SetKioskDisplayTakesATypedBodyAndDeclaresItsProblems()
    {
        var operation = Operation("/kiosks/{id}/display", "put");
        var responses = operation.GetProperty("responses");
        using (Assert.EnterMultipleScope())
        {
            Assert.That(operation.GetProperty("operationId").GetString(), Is.EqualTo("SetKioskDisplay"));
            Assert.That(operation.GetProperty("requestBody").GetProperty("content").GetProperty("application/json").GetProperty("schema").GetProperty("$ref").GetString(),
                Is.EqualTo("#/components/schemas/KioskDisplayInput"));
            Assert.That(responses.TryGetProperty("204", out _), Is.True);
            Assert.That(SchemaRef(responses, "400", "application/problem+json"), Does.EndWith("/HttpValidationProblemDetails"));
            Assert.That(SchemaRef(responses, "404", "application/problem+json"), Does.EndWith("/ProblemDetails"));
            Assert.That(Properties("KioskDisplayInput"), Is.EqualTo((string[])["text"]));
        }
    }

    private JsonElement Operation(string path, string method)
        => _document.GetProperty("paths").GetProperty(path).GetProperty(method);

    private string[] Properties(string schema)
        => [.. _document.GetProperty("components").GetProperty("schemas").GetProperty(schema).GetProperty("properties").EnumerateObject().Select(p => p.Name)];

    private static string? SchemaRef(JsonElement responses, string status, string mediaType)
        => responses.TryGetProperty(status, out var response)
            && response.TryGetProperty("content", out var content)
            && content.TryGetProperty(mediaType, out var media)
            && media.TryGetProperty("schema", out var schema)
            && schema.TryGetProperty("$ref", out var reference)
                ? reference.GetString()
                : null;
}
