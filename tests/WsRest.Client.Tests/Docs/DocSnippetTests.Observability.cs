namespace WsRest.Client.Tests.Docs;

/// <summary>docs/observability.md, like docs/ecosystem.md, shows only code that is compiled and run elsewhere.</summary>
public sealed partial class DocSnippetTests
{
    private const string ObservabilityGuide = "docs/observability.md";

    /// <summary>Compiled in tests/WsRest.Ecosystem.Tests (run by its OpenTelemetry tests) and in the PetStore sample (PetStore.Tests/TelemetryTests).</summary>
    private static readonly string[] ObservabilitySources =
    [
        "tests/WsRest.Ecosystem.Tests/Docs/ObservabilitySnippets.cs",
        "samples/PetStore/PetStore.Api/PetStoreTelemetry.cs",
    ];

    [Test]
    public void EveryCSharpBlockOfTheObservabilityGuideIsCompiledCode()
    {
        var guide = File.ReadAllText(RepositoryPath(ObservabilityGuide));
        var blocks = Blocks(guide, "csharp");
        var sources = ObservabilitySources.Select(path => Normalize(File.ReadAllText(RepositoryPath(path)))).ToList();

        Assert.That(blocks, Has.Count.GreaterThanOrEqualTo(2), "the OpenTelemetry set-ups");
        using (Assert.EnterMultipleScope())
        {
            foreach (var block in blocks)
            {
                Assert.That(sources.Any(source => Contains(source, Normalize(block))), Is.True,
                    $"This C# block of {ObservabilityGuide} is not in {string.Join(", ", ObservabilitySources)}; copy it from (or into) compiled code:\n{block}");
            }

            // A user page names the sample files it copies from, never the test suite's (docs/contributing.md does).
            foreach (var path in ObservabilitySources.Where(path => !path.StartsWith("tests/", StringComparison.Ordinal)))
            {
                Assert.That(guide, Does.Contain(path), $"{ObservabilityGuide} should name {path}, where its examples are compiled");
            }

            foreach (var path in ObservabilitySources.Where(path => path.StartsWith("tests/", StringComparison.Ordinal)))
            {
                Assert.That(File.ReadAllText(RepositoryPath("docs/contributing.md")), Does.Contain(path), $"docs/contributing.md should name {path}, where {ObservabilityGuide}'s examples are compiled");
            }
        }
    }
}
