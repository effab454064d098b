using System.Text.Json.Nodes;
using PetStore.Api;

namespace PetStore.Tests;

/// <summary>
/// The committed OpenAPI document is what the API serves. The NSwag client is generated from that
/// document at every build (samples/PetStore/PetStore.Client's .csproj), so a current document means a
/// current client; a stale one fails here: run <c>bash samples/PetStore/export-openapi.sh</c>, build,
/// and commit openapi.json.
/// </summary>
[TestFixture]
public sealed class GeneratedClientFreshnessTests
{
    private const string DocumentPath = "samples/PetStore/openapi.json";
    private const string Fix = "The API changed since openapi.json was exported: run `bash samples/PetStore/export-openapi.sh`, build (the client is generated from it) and commit openapi.json.";

    [Test]
    public async Task TheCommittedOpenApiDocumentIsWhatTheApiServes()
    {
        using var timeout = TestTimeout.Create();
        using var http = new HttpClient { BaseAddress = PetStoreServer.BaseAddress, Timeout = TestTimeout.Value };
        var served = JsonNode.Parse(await http.GetStringAsync(PetStoreApp.OpenApiPath.TrimStart('/'), timeout.Token))!.AsObject();
        var committed = JsonNode.Parse(await File.ReadAllTextAsync(RepositoryFiles.PathOf(DocumentPath), timeout.Token))!.AsObject();

        // "servers" names the address the document was fetched from; the script leaves it out.
        served.Remove("servers");

        Assert.That(FirstDifference(committed, served, "$"), Is.Null, $"{DocumentPath} differs from the API's {PetStoreApp.OpenApiPath}. {Fix}");
    }

    [Test]
    public void TheFirstDifferenceIsReportedWithItsPath()
    {
        var left = JsonNode.Parse("""{"a": {"b": [1, {"c": "x"}]}, "d": true}""");
        var right = JsonNode.Parse("""{"d": true, "a": {"b": [1, {"c": "y"}]}}""");

        using (Assert.EnterMultipleScope())
        {
            Assert.That(FirstDifference(left, right, "$"), Is.EqualTo("$.a.b[1].c: \"x\" in the committed document, \"y\" served"));
            Assert.That(FirstDifference(left, left!.DeepClone(), "$"), Is.Null, "property order and formatting do not matter");
        }
    }

    /// <summary>The JSON path of the first semantic difference (property order and formatting ignored), or null.</summary>
    private static string? FirstDifference(JsonNode? committed, JsonNode? served, string path)
    {
        switch (committed, served)
        {
            case (JsonObject left, JsonObject right):
                foreach (var (name, value) in left)
                {
                    if (!right.TryGetPropertyValue(name, out var other))
                    {
                        return $"{path}.{name}: in the committed document, not served";
                    }

                    if (FirstDifference(value, other, $"{path}.{name}") is { } difference)
                    {
                        return difference;
                    }
                }

                return right.Select(p => p.Key).FirstOrDefault(name => !left.ContainsKey(name)) is { } extra
                    ? $"{path}.{extra}: served, not in the committed document"
                    : null;
            case (JsonArray left, JsonArray right):
                for (var i = 0; i < Math.Min(left.Count, right.Count); i++)
                {
                    if (FirstDifference(left[i], right[i], $"{path}[{i}]") is { } difference)
                    {
                        return difference;
                    }
                }

                return left.Count == right.Count ? null : $"{path}: {left.Count} items in the committed document, {right.Count} served";
            default:
                return JsonNode.DeepEquals(committed, served)
                    ? null
                    : $"{path}: {committed?.ToJsonString() ?? "null"} in the committed document, {served?.ToJsonString() ?? "null"} served";
        }
    }
}
