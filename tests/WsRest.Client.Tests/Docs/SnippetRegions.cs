using System.Text.RegularExpressions;

namespace WsRest.Client.Tests.Docs;

/// <summary>
/// The <c>#region NAME</c> ... <c>#endregion</c> blocks of samples/Snippets, the compiled examples of
/// the docs. A region's text is its lines without the common indentation; the directive lines of
/// regions nested in it are left out, so a page can show a whole method and, elsewhere, a part of it.
/// </summary>
internal static partial class SnippetRegions
{
    public const string Project = "samples/Snippets";

    public static IReadOnlyDictionary<string, Region> Load()
    {
        var regions = new Dictionary<string, Region>(StringComparer.Ordinal);
        foreach (var file in Directory.GetFiles(DocPages.PathOf(Project), "*.cs", SearchOption.AllDirectories)
                     .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
                              && !f.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}", StringComparison.Ordinal)))
        {
            var relative = Path.GetRelativePath(DocPages.Root, file).Replace(Path.DirectorySeparatorChar, '/');
            var lines = File.ReadAllText(file).ReplaceLineEndings("\n").Split('\n');
            var open = new Stack<(string Name, int Start)>();
            for (var i = 0; i < lines.Length; i++)
            {
                if (RegionStart().Match(lines[i]) is { Success: true } start)
                {
                    open.Push((start.Groups["name"].Value, i + 1));
                }
                else if (RegionEnd().IsMatch(lines[i]))
                {
                    var (name, first) = open.Pop();
                    var body = lines[first..i].Where(l => !RegionStart().IsMatch(l) && !RegionEnd().IsMatch(l)).ToList();
                    if (!regions.TryAdd(name, new Region(name, relative, Dedent(body))))
                    {
                        throw new InvalidOperationException($"Region '{name}' is defined twice ({regions[name].File}, {relative}).");
                    }
                }
            }
        }

        return regions;
    }

    /// <summary>Lines without trailing blanks and without the indentation they all share; no leading or trailing empty lines.</summary>
    public static string Dedent(IEnumerable<string> lines)
    {
        var trimmed = lines.Select(l => l.TrimEnd()).ToList();
        while (trimmed.Count > 0 && trimmed[0].Length == 0)
        {
            trimmed.RemoveAt(0);
        }

        while (trimmed.Count > 0 && trimmed[^1].Length == 0)
        {
            trimmed.RemoveAt(trimmed.Count - 1);
        }

        var indent = trimmed.Where(l => l.Length > 0).Select(l => l.Length - l.TrimStart().Length).DefaultIfEmpty(0).Min();
        return string.Join('\n', trimmed.Select(l => l.Length == 0 ? l : l[indent..]));
    }

    internal sealed record Region(string Name, string File, string Text);

    [GeneratedRegex(@"^\s*#region (?<name>\S+)\s*$")]
    private static partial Regex RegionStart();

    [GeneratedRegex(@"^\s*#endregion\b")]
    private static partial Regex RegionEnd();
}
