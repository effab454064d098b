using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;

namespace PetStore.Browser.Tests;

/// <summary>
/// The committed browser bundle of the TypeScript client (PetStore.Api/wwwroot/lib/wsrest.browser.js)
/// was built from the client's current sources. Needs no Node.js: the bundle's header names the
/// SHA-256 of the sources it was built from, computed as samples/PetStore/build-web-client.sh does.
/// </summary>
[TestFixture]
public sealed partial class BrowserBundleTests
{
    internal const string BundlePath = "samples/PetStore/PetStore.Api/wwwroot/lib/wsrest.browser.js";
    private const string ClientPath = "src/wsrest-js";
    private const string Fix = "The TypeScript client changed since the page's bundle was built: run `bash samples/PetStore/build-web-client.sh` and commit wsrest.browser.js.";

    [Test]
    public async Task TheCommittedBundleWasBuiltFromTheClientsCurrentSources()
    {
        var bundle = await File.ReadAllTextAsync(RepositoryFiles.PathOf(BundlePath));
        var header = SourcesHashHeader().Match(bundle);
        Assert.That(header.Success, Is.True, $"{BundlePath} has no 'wsrest-js sources SHA-256' header line. {Fix}");
        Assert.That(header.Groups["sha"].Value, Is.EqualTo(SourcesHash(RepositoryFiles.PathOf(ClientPath))), $"{BundlePath} is stale. {Fix}");
    }

    [Test]
    public void TheHashChangesWhenASourceChanges()
    {
        var directory = Directory.CreateTempSubdirectory("wsrest-js-hash-");
        try
        {
            Directory.CreateDirectory(Path.Combine(directory.FullName, "src", "client"));
            File.WriteAllText(Path.Combine(directory.FullName, "package-lock.json"), "{}\n");
            File.WriteAllText(Path.Combine(directory.FullName, "src", "index.ts"), "export {};\n");
            File.WriteAllText(Path.Combine(directory.FullName, "src", "client", "a.ts"), "export const a = 1;\r\n");
            var before = SourcesHash(directory.FullName);
            File.WriteAllText(Path.Combine(directory.FullName, "src", "client", "a.ts"), "export const a = 1;\n");
            var afterLineEndings = SourcesHash(directory.FullName);
            File.WriteAllText(Path.Combine(directory.FullName, "src", "client", "a.ts"), "export const a = 2;\n");

            using (Assert.EnterMultipleScope())
            {
                Assert.That(afterLineEndings, Is.EqualTo(before), "line endings do not count (a Windows checkout hashes alike)");
                Assert.That(SourcesHash(directory.FullName), Is.Not.EqualTo(before), "an edited source changes the hash");
            }
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }

    /// <summary>
    /// The sources' SHA-256 as build-web-client.sh computes it: for every <c>src/**/*.ts</c> and
    /// <c>package-lock.json</c> (the pinned esbuild), sorted by path, a line "path sha256-without-CRs",
    /// then the SHA-256 of those lines.
    /// </summary>
    internal static string SourcesHash(string clientDirectory)
    {
        var files = Directory.EnumerateFiles(Path.Combine(clientDirectory, "src"), "*.ts", SearchOption.AllDirectories)
            .Select(path => Path.GetRelativePath(clientDirectory, path).Replace(Path.DirectorySeparatorChar, '/'))
            .Append("package-lock.json")
            .Order(StringComparer.Ordinal);
        var lines = new StringBuilder();
        foreach (var file in files)
        {
            var content = File.ReadAllBytes(Path.Combine(clientDirectory, file)).Where(b => b != (byte)'\r').ToArray();
            lines.Append(file).Append(' ').Append(Convert.ToHexStringLower(SHA256.HashData(content))).Append('\n');
        }

        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(lines.ToString())));
    }

    [GeneratedRegex(@"^// wsrest-js sources SHA-256: (?<sha>[0-9a-f]{64})$", RegexOptions.Multiline)]
    private static partial Regex SourcesHashHeader();
}
