using System.Net;
using System.Text.Json;

namespace PetStore.Tests;

/// <summary>Reads an RFC 9457 problem details response and checks its envelope.</summary>
internal static class Problems
{
    public static async Task<JsonElement> ReadAsync(HttpResponseMessage response, HttpStatusCode expected, CancellationToken cancellationToken)
    {
        var body = await response.Content.ReadAsStringAsync(cancellationToken);
        Assert.That(response.StatusCode, Is.EqualTo(expected), body);
        Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/problem+json"), body);
        var root = JsonDocument.Parse(body).RootElement.Clone();
        Assert.That(root.GetProperty("status").GetInt32(), Is.EqualTo((int)expected), body);
        Assert.That(root.TryGetProperty("title", out _), Is.True, body);
        return root;
    }

    public static IReadOnlyList<string> ErrorFields(JsonElement problem)
    {
        Assert.That(problem.TryGetProperty("errors", out var errors), Is.True, $"No 'errors' in {problem}");
        return [.. errors.EnumerateObject().Select(p => p.Name)];
    }
}
