using System.Text.RegularExpressions;

namespace WsRest.Tests.Protocol;

/// <summary>The conformance list at the end of docs/protocol.md (§14) cites only tests that exist, and every rule cites one.</summary>
public sealed partial class ConformanceListTests
{
    [Test]
    public void EveryTestTheConformanceListCitesExists()
    {
        var root = RepositoryRoot();
        var protocol = File.ReadAllText(Path.Combine(root, "docs", "protocol.md"));
        var start = protocol.IndexOf("\n## 14. Conformance", StringComparison.Ordinal);
        Assert.That(start, Is.GreaterThan(0), "docs/protocol.md has its conformance section");
        var rows = protocol[start..].Split('\n').Where(static line => RuleRow().IsMatch(line)).ToList();
        Assert.That(rows, Has.Count.GreaterThanOrEqualTo(30), "the rules were found");

        var sources = Directory.EnumerateFiles(Path.Combine(root, "tests"), "*.cs", SearchOption.AllDirectories)
            .Where(static path => !path.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
            .Select(File.ReadAllText)
            .ToList();
        var missing = new List<string>();
        foreach (var row in rows)
        {
            var citations = Citation().Matches(row);
            if (citations.Count == 0)
            {
                missing.Add($"a rule without a test: {row}");
            }

            foreach (Match citation in citations)
            {
                var (type, method) = (citation.Groups[1].Value, citation.Groups[2].Value);
                // The class is declared in the file, and the method there carries a test attribute.
                var inClass = new Regex($@"\bclass\s+{type}\b");
                var test = new Regex($@"\[(Test|TestCase|TestCaseSource)\b[^\n]*\]\s*(\[[^\n]*\]\s*)*public\s+(async\s+)?(Task|void)\s+{method}\s*\(");
                if (!sources.Any(source => inClass.IsMatch(source) && test.IsMatch(source)))
                {
                    missing.Add($"{type}.{method}");
                }
            }
        }

        Assert.That(missing, Is.Empty, "cited in docs/protocol.md §14 but not a test in tests/");
    }

    private static string RepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "WsRest.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException($"No WsRest.sln above {AppContext.BaseDirectory}.");
    }

    [GeneratedRegex(@"^\| [0-9]+ \|")]
    private static partial Regex RuleRow();

    [GeneratedRegex(@"`([A-Z][A-Za-z0-9]*Tests)\.([A-Z][A-Za-z0-9_]*)`")]
    private static partial Regex Citation();
}
