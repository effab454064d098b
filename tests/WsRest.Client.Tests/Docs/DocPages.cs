using System.Text.RegularExpressions;

namespace WsRest.Client.Tests.Docs;

/// <summary>
/// The repository's Markdown pages as the doc tests read them: which pages are for users (the list
/// under "For users" in docs/README.md), their fenced code blocks, and the snippet name an HTML
/// comment <c>&lt;!-- snippet: NAME --&gt;</c> on the line before a block gives it.
/// </summary>
internal static partial class DocPages
{
    /// <summary>The two index pages, both read by users first.</summary>
    private static readonly string[] Indexes = ["README.md", "docs/README.md"];

    public static string Root { get; } = DocSnippetTests.RepositoryRoot();

    public static string PathOf(string relative) => Path.Combine(Root, relative.Replace('/', Path.DirectorySeparatorChar));

    public static string Read(string relative) => File.ReadAllText(PathOf(relative)).ReplaceLineEndings("\n");

    /// <summary>Every page of docs/, README.md, and the READMEs of the samples and packages, as repository-relative paths.</summary>
    public static IReadOnlyList<string> All()
    {
        IEnumerable<string> pages = ["README.md"];
        pages = pages
            .Concat(Directory.GetFiles(PathOf("docs"), "*.md"))
            .Concat(PackageReadmes().Select(PathOf))
            .Concat(Directory.GetFiles(PathOf("samples"), "README.md", SearchOption.AllDirectories).Where(p => !p.Contains("node_modules", StringComparison.Ordinal)));
        return [.. pages.Select(p => Path.IsPathRooted(p) ? Path.GetRelativePath(Root, p).Replace(Path.DirectorySeparatorChar, '/') : p).Distinct().Order(StringComparer.Ordinal)];
    }

    /// <summary>src/*/README.md: shipped in each NuGet (and the npm) package, read where no repository is at hand.</summary>
    public static IReadOnlyList<string> PackageReadmes()
        => [.. Directory.GetDirectories(PathOf("src")).Select(d => Path.Combine(d, "README.md")).Where(File.Exists)
            .Select(p => Path.GetRelativePath(Root, p).Replace(Path.DirectorySeparatorChar, '/')).Order(StringComparer.Ordinal)];

    /// <summary>The pages a user reads: README.md, the package READMEs, and the docs/ pages listed under "For users" in docs/README.md.</summary>
    public static IReadOnlyList<string> ForUsers()
        => [.. Indexes.Concat(PackageReadmes()).Concat(IndexSection("For users"))];

    /// <summary>The docs/ pages listed under "For contributors" in docs/README.md.</summary>
    public static IReadOnlyList<string> ForContributors() => IndexSection("For contributors");

    private static List<string> IndexSection(string heading)
    {
        var index = Read("docs/README.md");
        var start = index.IndexOf("\n## " + heading + "\n", StringComparison.Ordinal);
        if (start < 0)
        {
            throw new InvalidOperationException($"docs/README.md has no \"## {heading}\" section.");
        }

        var end = index.IndexOf("\n## ", start + 4, StringComparison.Ordinal);
        var section = end < 0 ? index[start..] : index[start..end];
        return [.. Links(section).Select(l => l.Target.Split('#')[0]).Where(t => t.EndsWith(".md", StringComparison.Ordinal) && !t.Contains('/', StringComparison.Ordinal))
            .Select(t => "docs/" + t).Distinct()];
    }

    /// <summary>The fenced code blocks of <paramref name="markdown"/>, with their language and snippet name (null when unmarked).</summary>
    public static IReadOnlyList<CodeBlock> Blocks(string markdown)
        => [.. FencedBlock().Matches(markdown).Select(m => new CodeBlock(
            m.Groups["lang"].Value,
            m.Groups["snippet"].Success ? m.Groups["snippet"].Value : null,
            m.Groups["body"].Value,
            markdown[..m.Index].Count(c => c == '\n') + 1))];

    /// <summary><paramref name="markdown"/> with the body of every marked block replaced by <paramref name="region"/>'s text for its name (unchanged where that is null).</summary>
    public static string ReplaceSnippets(string markdown, Func<string, string?> region)
        => FencedBlock().Replace(markdown, m => m.Groups["snippet"].Success && region(m.Groups["snippet"].Value) is { } text
            ? $"<!-- snippet: {m.Groups["snippet"].Value} -->\n```{m.Groups["lang"].Value}\n{text}\n```"
            : m.Value);

    /// <summary>The Markdown links <c>[text](target)</c> of <paramref name="markdown"/> outside code blocks and code spans.</summary>
    public static IReadOnlyList<Link> Links(string markdown)
    {
        var prose = FencedBlock().Replace(markdown, m => new string('\n', m.Value.Count(c => c == '\n')));
        prose = CodeSpan().Replace(prose, "``");
        return [.. MarkdownLink().Matches(prose).Select(m => new Link(m.Groups["target"].Value, prose[..m.Index].Count(c => c == '\n') + 1))];
    }

    /// <summary>The anchors GitHub gives a page's headings: lower case, punctuation dropped, spaces as hyphens.</summary>
    public static IReadOnlySet<string> Anchors(string markdown)
    {
        var prose = FencedBlock().Replace(markdown, string.Empty);
        var anchors = new HashSet<string>(StringComparer.Ordinal);
        foreach (Match heading in Heading().Matches(prose))
        {
            var text = heading.Groups["text"].Value.Trim().ToLowerInvariant();
            var slug = new string([.. text.Where(c => char.IsLetterOrDigit(c) || c is ' ' or '-' or '_')]).Replace(' ', '-');
            var unique = slug;
            for (var i = 1; !anchors.Add(unique); i++)
            {
                unique = $"{slug}-{i}";
            }
        }

        return anchors;
    }

    internal sealed record CodeBlock(string Language, string? Snippet, string Body, int Line);

    internal sealed record Link(string Target, int Line);

    [GeneratedRegex(@"^(?:<!-- snippet: (?<snippet>[A-Za-z0-9._-]+) -->\n)?```(?<lang>[a-z]*)[ \t]*\n(?<body>.*?)^```[ \t]*$", RegexOptions.Multiline | RegexOptions.Singleline)]
    private static partial Regex FencedBlock();

    [GeneratedRegex(@"`[^`\n]*`")]
    private static partial Regex CodeSpan();

    [GeneratedRegex(@"(?<!!)\[[^\]\n]*\]\((?<target>[^)\s]+)(?:\s+""[^""]*"")?\)|!\[[^\]\n]*\]\((?<target>[^)\s]+)\)")]
    private static partial Regex MarkdownLink();

    [GeneratedRegex(@"^#{1,6}[ \t]+(?<text>.+?)[ \t]*#*[ \t]*$", RegexOptions.Multiline)]
    private static partial Regex Heading();
}
