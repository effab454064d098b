namespace WsRest.Client.Tests.Docs;

/// <summary>
/// The C# of the user docs is compiled: a block marked <c>&lt;!-- snippet: NAME --&gt;</c> is exactly
/// region NAME of samples/Snippets (a project of the solution, written as an app writes code), the
/// pages a newcomer reads first have no other C#, and no user page shows the test harness.
/// </summary>
[TestFixture]
public sealed class DocSnippetRegionTests
{
    /// <summary>Pages whose every C# block must come from samples/Snippets.</summary>
    private static readonly string[] CompiledOnly = ["README.md", "docs/getting-started.md", "docs/client.md", "docs/server.md"];

    /// <summary>Test and benchmark harness that has no place in what a user copies.</summary>
    private static readonly string[] Harness = ["TestHost.", "host.ConnectAsync", "PubSubJson", "Assert.", "Is.EqualTo", "BenchServer", "Generous", "Payloads."];

    /// <summary>Set to 1 to copy every region into its marked blocks before checking them (after editing samples/Snippets).</summary>
    private const string UpdateVariable = "WSREST_UPDATE_SNIPPETS";

    [Test]
    public void EveryMarkedBlockIsItsRegion()
    {
        var regions = SnippetRegions.Load();
        if (Environment.GetEnvironmentVariable(UpdateVariable) == "1")
        {
            foreach (var page in DocPages.All())
            {
                var text = DocPages.Read(page);
                var updated = DocPages.ReplaceSnippets(text, name => regions.TryGetValue(name, out var region) ? region.Text : null);
                if (updated != text)
                {
                    File.WriteAllText(DocPages.PathOf(page), updated);
                }
            }
        }

        var marked = 0;
        using (Assert.EnterMultipleScope())
        {
            foreach (var page in DocPages.All())
            {
                foreach (var block in DocPages.Blocks(DocPages.Read(page)).Where(b => b.Snippet is not null))
                {
                    marked++;
                    if (!regions.TryGetValue(block.Snippet!, out var region))
                    {
                        Assert.Fail($"{page}:{block.Line}: no region '{block.Snippet}' in {SnippetRegions.Project}.");
                        continue;
                    }

                    Assert.That(SnippetRegions.Dedent(block.Body.Split('\n')), Is.EqualTo(region.Text),
                        $"{page}:{block.Line}: the block differs from region '{block.Snippet}' of {region.File}; copy the region into the page ({UpdateVariable}=1 does it):\n{region.Text}");
                }
            }
        }

        Assert.That(marked, Is.GreaterThanOrEqualTo(20), "the docs' compiled examples");
    }

    [Test]
    public void EveryRegionIsShownOnAPage()
    {
        var shown = DocPages.All().SelectMany(p => DocPages.Blocks(DocPages.Read(p))).Select(b => b.Snippet).OfType<string>().ToHashSet(StringComparer.Ordinal);

        Assert.That(SnippetRegions.Load().Keys.Where(name => !shown.Contains(name)), Is.Empty,
            $"regions of {SnippetRegions.Project} that no page shows (remove them, or show them with <!-- snippet: NAME -->)");
    }

    [Test]
    public void TheFirstPagesAUserReadsHaveOnlyCompiledCSharp()
    {
        using (Assert.EnterMultipleScope())
        {
            foreach (var page in CompiledOnly.Concat(DocPages.PackageReadmes()))
            {
                foreach (var block in DocPages.Blocks(DocPages.Read(page)).Where(b => b.Language == "csharp" && b.Snippet is null))
                {
                    Assert.Fail($"{page}:{block.Line}: a C# block without <!-- snippet: NAME -->; put the code in a region of {SnippetRegions.Project} and mark the block:\n{block.Body}");
                }
            }
        }
    }

    [Test]
    public void NoUserPageShowsTheTestHarness()
    {
        using (Assert.EnterMultipleScope())
        {
            foreach (var page in DocPages.ForUsers())
            {
                foreach (var block in DocPages.Blocks(DocPages.Read(page)).Where(b => b.Language == "csharp"))
                {
                    foreach (var word in Harness.Where(w => block.Body.Contains(w, StringComparison.Ordinal)))
                    {
                        Assert.Fail($"{page}:{block.Line}: '{word}' is test or benchmark harness; show what an app writes (a region of {SnippetRegions.Project}).");
                    }
                }
            }
        }
    }
}
