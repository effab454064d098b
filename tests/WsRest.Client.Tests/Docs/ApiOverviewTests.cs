using System.Reflection;

namespace WsRest.Client.Tests.Docs;

/// <summary>
/// docs/api.md lists, per package, every public namespace and type, and each package's README (what
/// nuget.org shows) names its namespaces, so a reader can find where a type lives without the source.
/// </summary>
[TestFixture]
public sealed class ApiOverviewTests
{
    private const string Overview = "docs/api.md";

    /// <summary>The packages' assemblies, each with its package name (the project folder under src/).</summary>
    internal static IReadOnlyList<(string Package, Assembly Assembly)> PackageAssemblies()
        => [.. new[]
        {
            typeof(WsRestProtocol).Assembly,                                                     // WsRest.Abstractions
            typeof(WsRestClient).Assembly,                                                       // WsRest.Client
            typeof(WsRest.Server.WsRestServerOptions).Assembly,                                  // WsRest.Server
            typeof(Microsoft.AspNetCore.Hosting.WsRestTunnelWebHostBuilderExtensions).Assembly,  // WsRest.Tunnel
            typeof(WsRest.Redis.WsRestRedisOptions).Assembly,                                    // WsRest.Redis
        }.Select(a => (a.GetName().Name!, a))];

    [Test]
    public void EveryPackageFolderIsCovered()
    {
        var folders = Directory.GetDirectories(DocPages.PathOf("src")).Select(Path.GetFileName).Where(n => File.Exists(DocPages.PathOf($"src/{n}/{n}.csproj")));

        Assert.That(PackageAssemblies().Select(p => p.Package), Is.EquivalentTo(folders), "every .NET package of src/ is checked here");
    }

    [Test]
    public void EveryPublicNamespaceAndTypeIsInTheOverview()
    {
        var overview = DocPages.Read(Overview);
        using (Assert.EnterMultipleScope())
        {
            foreach (var (package, assembly) in PackageAssemblies())
            {
                Assert.That(overview.Contains($"\n## {package}\n", StringComparison.Ordinal), Is.True, $"{Overview} should have a section \"## {package}\"");
                var section = Section(overview, package);
                foreach (var ns in Namespaces(assembly))
                {
                    Assert.That(section.Contains($"`{ns}`", StringComparison.Ordinal), Is.True, $"{Overview}, section {package}, should list the namespace `{ns}`");
                }

                foreach (var type in assembly.GetExportedTypes().Where(t => !t.IsNested))
                {
                    var name = type.Name.Split('`')[0];
                    Assert.That(section.Contains($"`{name}`", StringComparison.Ordinal) || section.Contains($"`{name}<", StringComparison.Ordinal), Is.True, $"{Overview}, section {package}, should list the type `{name}` ({type.Namespace})");
                }
            }
        }
    }

    [Test]
    public void EveryPackageReadmeNamesItsNamespaces()
    {
        using (Assert.EnterMultipleScope())
        {
            foreach (var (package, assembly) in PackageAssemblies())
            {
                var readme = DocPages.Read($"src/{package}/README.md");
                foreach (var ns in Namespaces(assembly))
                {
                    Assert.That(readme.Contains($"`{ns}`", StringComparison.Ordinal), Is.True, $"src/{package}/README.md (shipped in the package) should name the namespace `{ns}`");
                }
            }
        }
    }

    private static IEnumerable<string> Namespaces(Assembly assembly)
        => assembly.GetExportedTypes().Select(t => t.Namespace).OfType<string>().Distinct().Order(StringComparer.Ordinal);

    private static string Section(string overview, string package)
    {
        var start = overview.IndexOf($"\n## {package}\n", StringComparison.Ordinal);
        if (start < 0)
        {
            return string.Empty;
        }

        var end = overview.IndexOf("\n## ", start + 4, StringComparison.Ordinal);
        return end < 0 ? overview[start..] : overview[start..end];
    }
}
