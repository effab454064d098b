using WsRest.Client.Tests.Infrastructure;

namespace WsRest.Client.Tests;

/// <summary>
/// The four packages pack with exact-version dependencies on each other, and a fresh project consumes them from a local folder: runs
/// scripts/pack-check.sh (pack, inspect, build and run a consumer that makes one request over WsRest and calls a tunneled app).
/// </summary>
[TestFixture]
public sealed class PackagingTests
{
    [Test]
    public async Task PackagesBuildAndAConsumerUsesThemFromALocalFolder()
    {
        var (exitCode, log) = await RepositoryProcess.RunAsync("bash", ["scripts/pack-check.sh"], RepositoryProcess.DefaultTimeout);

        Assert.That(exitCode, Is.Zero, log);
        Assert.That(log, Does.Contain("pack-check: OK"));
    }
}
