using System.Text;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Snippets.Ecosystem;
using WsRest.Client.Tests.Infrastructure;

namespace WsRest.Client.Tests.Docs;

/// <summary>
/// docs/ecosystem.md shows only compiled code: every C# block is found in one of the files it names,
/// and the examples of <see cref="EcosystemSnippets"/> work against a real server, with the document's own
/// appsettings.json example as configuration.
/// </summary>
[TestFixture]
public sealed partial class DocSnippetTests : ProbeServerTests
{
    private const string Guide = "docs/ecosystem.md";

    /// <summary>The files the guide's C# blocks are copied from.</summary>
    private static readonly string[] Sources =
    [
        "samples/Snippets/Ecosystem/EcosystemSnippets.cs",
        "samples/PetStore/PetStore.Demo/PetStoreServices.cs",
        "samples/PetStore/PetStore.Demo/DemoSession.cs",
        "scripts/pack-check.sh",
        "tests/WsRest.Ecosystem.Tests/Docs/HostingSnippets.cs",
    ];

    [Test]
    public void EveryCSharpBlockOfTheGuideIsCompiledCode()
    {
        var guide = File.ReadAllText(RepositoryPath(Guide));
        var blocks = Blocks(guide, "csharp");
        var sources = Sources.Select(path => (path, lines: Normalize(File.ReadAllText(RepositoryPath(path))))).ToList();

        Assert.That(blocks, Has.Count.GreaterThanOrEqualTo(5), "the guide's examples");
        using (Assert.EnterMultipleScope())
        {
            foreach (var block in blocks)
            {
                var lines = Normalize(block);
                Assert.That(sources.Any(source => Contains(source.lines, lines)), Is.True,
                    $"This C# block of {Guide} is not in {string.Join(", ", Sources)}; copy it from (or into) compiled code:\n{block}");
            }

            // A user page names the sample files it copies from, never the test suite's (docs/contributing.md does).
            foreach (var path in Sources.Where(path => !path.StartsWith("tests/", StringComparison.Ordinal)))
            {
                Assert.That(guide, Does.Contain(path), $"{Guide} should name {path}, where its examples are compiled");
            }

            foreach (var path in Sources.Where(path => path.StartsWith("tests/", StringComparison.Ordinal)))
            {
                Assert.That(File.ReadAllText(RepositoryPath("docs/contributing.md")), Does.Contain(path), $"docs/contributing.md should name {path}, where {Guide}'s examples are compiled");
            }
        }
    }

    [Test]
    public async Task TheTypedClientExampleSendsOverWsRest()
    {
        var builder = TestHost.CreateBuilder();
        EcosystemSnippets.TypedClient(builder.Services);
        builder.Services.PostConfigure<WsRestClientOptions>(nameof(InventoryClient), o => o.Endpoint = Probe.Endpoint);
        await using var host = await TestHost.StartAsync(builder);
        using var timeout = TestTimeout.Create();

        var id = await host.Get<InventoryClient>().GetItemsAsync(timeout.Token);

        Assert.That(id, Is.EqualTo(host.Get<IWsRestClientProvider>().GetClientForHttpClient(nameof(InventoryClient)).ConnectionId));
    }

    [Test]
    public async Task TheSharedEndpointExampleOpensOneWebSocket()
    {
        var builder = TestHost.CreateBuilder();
        EcosystemSnippets.SharedEndpoint(builder.Services);
        builder.Services.PostConfigureAll<WsRestClientOptions>(o => o.Endpoint = Probe.Endpoint);
        await using var host = await TestHost.StartAsync(builder);
        using var timeout = TestTimeout.Create();

        var ids = await Task.WhenAll(
            host.Get<InventoryClient>().GetItemsAsync(timeout.Token),
            new InventoryClient(host.Get<IHttpClientFactory>().CreateClient("reports")).GetItemsAsync(timeout.Token));

        Assert.That(ids[1], Is.EqualTo(ids[0]));
        Assert.That(Probe.Upgrades, Is.EqualTo(1));
    }

    [Test]
    public async Task TheConfigurationExampleBindsTheGuidesAppSettings()
    {
        var builder = CreateBuilderWithTheGuidesAppSettings();
        EcosystemSnippets.FromConfiguration(builder);
        await using var host = await TestHost.StartAsync(builder);
        using var timeout = TestTimeout.Create();

        var id = await host.Get<InventoryClient>().GetItemsAsync(timeout.Token);

        Assert.That(Probe.Metadata[id], Is.EquivalentTo(new Dictionary<string, string> { ["app"] = "inventory-ui", ["version"] = "1.4.2" }));
    }

    [Test]
    public async Task TheNamedConnectionExampleAuthenticatesItsOneWebSocket()
    {
        var builder = CreateBuilderWithTheGuidesAppSettings();
        EcosystemSnippets.NamedConnection(builder, () => "secret-token");
        await using var host = await TestHost.StartAsync(builder);
        using var timeout = TestTimeout.Create();

        var connectionId = await EcosystemSnippets.ConnectEarlyAsync(host.Services, timeout.Token);
        var ids = await Task.WhenAll(
            host.Get<InventoryClient>().GetItemsAsync(timeout.Token),
            new InventoryClient(host.Get<IHttpClientFactory>().CreateClient("inventory-admin")).GetItemsAsync(timeout.Token));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(ids, Is.All.EqualTo(connectionId));
            Assert.That(Probe.UpgradeAuthorizations, Is.EqualTo((string[])["Bearer secret-token"]));
        }
    }

    [Test]
    public void TheGuidesValidationMessageIsTheRealOne()
    {
        var guide = File.ReadAllText(RepositoryPath(Guide));
        var builder = TestHost.CreateBuilder(new Dictionary<string, string?> { ["WsRest:Inventory:Endpoint"] = "http://localhost:5000/wsrest" });
        EcosystemSnippets.FromConfiguration(builder);

        var error = Assert.ThrowsAsync<Microsoft.Extensions.Options.OptionsValidationException>(() => TestHost.StartAsync(builder));

        Assert.That(guide, Does.Contain(error!.Message), $"{Guide} should quote the message exactly");
    }

    private Microsoft.Extensions.Hosting.HostApplicationBuilder CreateBuilderWithTheGuidesAppSettings()
    {
        var json = Blocks(File.ReadAllText(RepositoryPath(Guide)), "json").Single(b => b.Contains("\"WsRest\"", StringComparison.Ordinal));
        var builder = TestHost.CreateBuilder();
        builder.Configuration.AddJsonStream(new MemoryStream(Encoding.UTF8.GetBytes(json)));
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { ["WsRest:Inventory:Endpoint"] = Probe.Endpoint.ToString() });
        return builder;
    }

    private static List<string> Blocks(string markdown, string language)
        => [.. FencedBlock().Matches(markdown).Where(m => m.Groups["lang"].Value == language).Select(m => m.Groups["body"].Value)];

    private static List<string> Normalize(string code)
        => [.. code.ReplaceLineEndings("\n").Split('\n').Select(line => line.Trim()).Where(line => line.Length > 0)];

    private static bool Contains(List<string> source, List<string> block)
    {
        for (var start = 0; start + block.Count <= source.Count; start++)
        {
            if (source.Skip(start).Take(block.Count).SequenceEqual(block, StringComparer.Ordinal))
            {
                return true;
            }
        }

        return false;
    }

    private static string RepositoryPath(string relative)
        => Path.Combine(RepositoryRoot(), relative.Replace('/', Path.DirectorySeparatorChar));

    /// <summary>The folder holding WsRest.sln, found upwards from the test binaries.</summary>
    internal static string RepositoryRoot()
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

    [GeneratedRegex(@"^```(?<lang>[a-z]+)[ \t]*\r?\n(?<body>.*?)^```", RegexOptions.Multiline | RegexOptions.Singleline)]
    private static partial Regex FencedBlock();
}
