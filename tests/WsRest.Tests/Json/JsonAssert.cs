using System.Text.Json.Nodes;

namespace WsRest.Tests.Json;

/// <summary>Compares frame objects by JSON value, not by text (member order and whitespace are free).</summary>
public static class JsonAssert
{
    public static void AreEqual(string expected, JsonNode? actual)
        => Assert.That(JsonNode.DeepEquals(JsonNode.Parse(expected), actual), Is.True, $"expected {expected}, got {actual?.ToJsonString()}");

    /// <summary>Every member of <paramref name="expected"/> is in <paramref name="actual"/> with that value.</summary>
    public static void Contains(string expected, JsonObject actual)
    {
        foreach (var (name, value) in JsonNode.Parse(expected)!.AsObject())
        {
            Assert.That(JsonNode.DeepEquals(value, actual[name]), Is.True, $"member '{name}': expected {value?.ToJsonString()}, got {actual[name]?.ToJsonString() ?? "nothing"} in {actual.ToJsonString()}");
        }
    }

    /// <summary>The header pair is in the frame's <c>h</c> list.</summary>
    public static void HasHeader(JsonObject frame, string name, string value)
        => Assert.That(
            frame["h"]!.AsArray().Any(pair => (string?)pair![0] == name && (string?)pair[1] == value),
            Is.True,
            $"header {name}: {value} missing from {frame.ToJsonString()}");
}
