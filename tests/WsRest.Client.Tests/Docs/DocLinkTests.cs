using System.Text.RegularExpressions;

namespace WsRest.Client.Tests.Docs;

/// <summary>
/// Links of the Markdown pages resolve: a relative link to a file of the repository (and, into a page,
/// to one of its headings); a package README, read on nuget.org or npm where relative links lead
/// nowhere, links absolutely into the repository. User pages do not send readers into tests/ or
/// outside the repository.
/// </summary>
[TestFixture]
public sealed partial class DocLinkTests
{
    /// <summary>Where the repository's files are published; the packages' READMEs link there.</summary>
    public const string RepositoryUrl = "https://github.com/wsrest/wsrest";

    [Test]
    public void EveryRelativeLinkResolves()
    {
        var checkedLinks = 0;
        using (Assert.EnterMultipleScope())
        {
            foreach (var page in DocPages.All().Except(DocPages.PackageReadmes()))
            {
                foreach (var link in DocPages.Links(DocPages.Read(page)).Where(l => !IsExternal(l.Target)))
                {
                    checkedLinks++;
                    var (path, anchor) = Split(link.Target);
                    var target = path.Length == 0 ? page : Normalize(Path.Combine(Path.GetDirectoryName(page) ?? string.Empty, Uri.UnescapeDataString(path)));
                    CheckTarget(page, link, target, anchor);
                }
            }
        }

        Assert.That(checkedLinks, Is.GreaterThan(30), "links checked");
    }

    [Test]
    public void PackageReadmesLinkIntoTheRepositoryAbsolutely()
    {
        using (Assert.EnterMultipleScope())
        {
            foreach (var page in DocPages.PackageReadmes())
            {
                var links = DocPages.Links(DocPages.Read(page));
                Assert.That(links.Where(l => l.Target.StartsWith(RepositoryUrl + "/blob/main/", StringComparison.Ordinal)), Is.Not.Empty,
                    $"{page} should link to the documentation ({RepositoryUrl}/blob/main/docs/...)");
                foreach (var link in links)
                {
                    if (!IsExternal(link.Target))
                    {
                        Assert.Fail($"{page}:{link.Line}: relative link '{link.Target}' leads nowhere on nuget.org or npm; use {RepositoryUrl}/blob/main/<path>.");
                    }
                    else if (RepositoryLink().Match(link.Target) is { Success: true } repository)
                    {
                        var (path, anchor) = Split(repository.Groups["path"].Value);
                        CheckTarget(page, link, Uri.UnescapeDataString(path), anchor);
                    }
                }
            }
        }
    }

    [Test]
    public void UserPagesPointNeitherIntoTestsNorOutsideTheRepository()
    {
        using (Assert.EnterMultipleScope())
        {
            foreach (var page in DocPages.ForUsers())
            {
                var lines = DocPages.Read(page).Split('\n');
                for (var i = 0; i < lines.Length; i++)
                {
                    if (Pointer().Match(lines[i]) is { Success: true } pointer)
                    {
                        Assert.Fail($"{page}:{i + 1}: '{pointer.Value}' points a user into the test suite, outside the repository or to the issue tracker; say it on the page, or move it to a page for contributors (docs/README.md).");
                    }
                }
            }
        }
    }

    [Test]
    public void EveryPageOfDocsIsListedForUsersOrForContributors()
    {
        var listed = DocPages.ForUsers().Concat(DocPages.ForContributors()).ToHashSet(StringComparer.Ordinal);
        var pages = Directory.GetFiles(DocPages.PathOf("docs"), "*.md").Select(p => "docs/" + Path.GetFileName(p)).Where(p => p != "docs/README.md");

        using (Assert.EnterMultipleScope())
        {
            Assert.That(pages.Where(p => !listed.Contains(p)), Is.Empty, "docs/README.md should list every page under \"For users\" or \"For contributors\"");
            Assert.That(DocPages.ForUsers().Intersect(DocPages.ForContributors()), Is.Empty, "a page is for users or for contributors");
        }
    }

    private static void CheckTarget(string page, DocPages.Link link, string target, string? anchor)
    {
        var full = DocPages.PathOf(target);
        if (!File.Exists(full) && !Directory.Exists(full))
        {
            Assert.Fail($"{page}:{link.Line}: '{link.Target}' does not exist ({target}).");
            return;
        }

        if (anchor is not null && target.EndsWith(".md", StringComparison.Ordinal) && !DocPages.Anchors(DocPages.Read(target)).Contains(anchor))
        {
            Assert.Fail($"{page}:{link.Line}: '{link.Target}': {target} has no heading '#{anchor}'.");
        }
    }

    private static bool IsExternal(string target) => target.Contains("://", StringComparison.Ordinal) || target.StartsWith("mailto:", StringComparison.Ordinal);

    private static (string Path, string? Anchor) Split(string target)
    {
        var hash = target.IndexOf('#', StringComparison.Ordinal);
        return hash < 0 ? (target, null) : (target[..hash], target[(hash + 1)..]);
    }

    /// <summary>A repository-relative path without <c>..</c> segments, with forward slashes.</summary>
    private static string Normalize(string path)
    {
        var parts = new List<string>();
        foreach (var part in path.Replace(Path.DirectorySeparatorChar, '/').Split('/'))
        {
            if (part == "..")
            {
                if (parts.Count == 0)
                {
                    return "../" + path;   // outside the repository: reported as missing
                }

                parts.RemoveAt(parts.Count - 1);
            }
            else if (part is not ("." or ""))
            {
                parts.Add(part);
            }
        }

        return string.Join('/', parts);
    }

    [GeneratedRegex(@"^https://github\.com/wsrest/wsrest/(?:blob|tree)/main/(?<path>[^?]+)$")]
    private static partial Regex RepositoryLink();

    [GeneratedRegex(@"(?<![\w.-])tests/|\.\./shared|/work/|\bthe issues\b|\bissues? #?\d+", RegexOptions.IgnoreCase)]
    private static partial Regex Pointer();
}
