using System.Text.RegularExpressions;

namespace PetStore.Tests;

/// <summary>
/// docs/ecosystem.md shows the MSBuild that generates the PetStore client at build time for users to copy:
/// every line of that block is in PetStore.Client.csproj (which the build proves works), and the package
/// versions it names are the ones Directory.Packages.props pins. Comments may differ.
/// </summary>
[TestFixture]
public sealed partial class NSwagBuildGuideTests
{
    [Test]
    public async Task TheGuidesProjectSnippetIsTheClientProjectsOwn()
    {
        var guide = await File.ReadAllTextAsync(RepositoryFiles.PathOf("docs/ecosystem.md"));
        var project = await File.ReadAllTextAsync(RepositoryFiles.PathOf("samples/PetStore/PetStore.Client/PetStore.Client.csproj"));
        var versions = await File.ReadAllTextAsync(RepositoryFiles.PathOf("Directory.Packages.props"));

        var section = guide[guide.IndexOf("## NSwag-generated client", StringComparison.Ordinal)..];
        var block = XmlBlock().Match(section);
        Assert.That(block.Success, Is.True, "docs/ecosystem.md's NSwag section has an xml block");

        var projectLines = project.Split('\n').Select(l => l.Trim()).ToHashSet();
        using (Assert.EnterMultipleScope())
        {
            foreach (var line in block.Groups["body"].Value.Split('\n').Select(l => l.Trim()).Where(l => l.Length > 0 && !l.StartsWith("<!--", StringComparison.Ordinal)))
            {
                Assert.That(projectLines, Does.Contain(VersionAttribute().Replace(line, string.Empty)), $"PetStore.Client.csproj has the guide's line {line}");
            }

            foreach (Match reference in VersionAttributeOfPackage().Matches(block.Value))
            {
                Assert.That(versions, Does.Contain($"<PackageVersion Include=\"{reference.Groups["id"].Value}\" Version=\"{reference.Groups["version"].Value}\" />"));
            }
        }
    }

    [GeneratedRegex(@"```xml\n(?<body>.*?)```", RegexOptions.Singleline)]
    private static partial Regex XmlBlock();

    [GeneratedRegex(@" Version=""[^""]*""")]
    private static partial Regex VersionAttribute();

    [GeneratedRegex(@"<PackageReference Include=""(?<id>[^""]+)"" Version=""(?<version>[^""]+)""")]
    private static partial Regex VersionAttributeOfPackage();
}
