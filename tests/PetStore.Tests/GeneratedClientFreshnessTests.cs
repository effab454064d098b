using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using PetStore.Api;

namespace PetStore.Tests;

/// <summary>
/// The committed OpenAPI document and the NSwag client generated from it are up to date with the API.
/// Needs no npm: the document is compared with what the running API serves, and the client's header
/// names the SHA-256 of the document it was generated from. Either failing means: run
/// <c>bash samples/PetStore/generate-client.sh</c> and commit the result.
/// </summary>
[TestFixture]
public sealed partial class GeneratedClientFreshnessTests
{
    private const string DocumentPath = "samples/PetStore/openapi.json";
    private const string ClientPath = "samples/PetStore/PetStore.Client/PetStoreClient.cs";
    private const string Fix = "The API changed since the client was generated: run `bash samples/PetStore/generate-client.sh` and commit openapi.json and PetStoreClient.cs.";

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
    public async Task TheCommittedClientWasGeneratedFromTheCommittedDocument()
    {
        using var timeout = TestTimeout.Create();
        var document = (await File.ReadAllTextAsync(RepositoryFiles.PathOf(DocumentPath), timeout.Token)).ReplaceLineEndings("\n");
        var client = await File.ReadAllTextAsync(RepositoryFiles.PathOf(ClientPath), timeout.Token);

        var header = DocumentHashHeader().Match(client);
        Assert.That(header.Success, Is.True, $"{ClientPath} has no 'openapi.json SHA-256' header line. {Fix}");
        var expected = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(document)));
        Assert.That(header.Groups["sha"].Value, Is.EqualTo(expected), $"{ClientPath} was generated from another openapi.json. {Fix}");
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

    [GeneratedRegex(@"^// openapi\.json SHA-256: (?<sha>[0-9a-f]{64})\r?$", RegexOptions.Multiline)]
    private static partial Regex DocumentHashHeader();
}
