using WsRest.Client.Tests.Infrastructure;

namespace WsRest.Client.Tests;

/// <summary>
/// The load program still works: its transports, its pub/sub fan-out and its idle-connection
/// measurement run briefly (no figures are asserted; measurement is the full mode's job, docs/benchmarks.md).
/// </summary>
[TestFixture]
public sealed class LoadProgramQuickModeTests
{
    [Test]
    public async Task TheLoadProgramRunsEveryTransportThePubSubFanOutAndTheIdleMeasurement()
    {
        var (exitCode, log) = await RepositoryProcess.RunAsync(
            "dotnet",
            ["run", "-c", "Release", "--project", "bench/WsRest.Load", "--", "--duration", "0.5", "--warmup", "0.2", "--concurrency", "1,16", "--wire-requests", "100"],
            TimeSpan.FromMinutes(5));

        Assert.That(exitCode, Is.Zero, log);
        Assert.That(log, Does.Contain("No failed or hung requests."));
        Assert.That(log, Does.Contain("WsRest (1 conn)"));

        var (pubSubExit, pubSubLog) = await RepositoryProcess.RunAsync(
            "dotnet",
            ["run", "-c", "Release", "--no-build", "--project", "bench/WsRest.Load", "--", "--pubsub", "--deliveries", "20000", "--lossless-deliveries", "20000"],
            TimeSpan.FromMinutes(5));

        Assert.That(pubSubExit, Is.Zero, pubSubLog);

        // The idle measurement starts its clients in a child process and fails (exit 1) if any of them
        // dropped during the hold.
        var (idleExit, idleLog) = await RepositoryProcess.RunAsync(
            "dotnet",
            ["run", "-c", "Release", "--no-build", "--project", "bench/WsRest.Load", "--", "--idle", "--idle-connections", "200", "--idle-hold", "1"],
            TimeSpan.FromMinutes(5));

        Assert.That(idleExit, Is.Zero, idleLog);
        Assert.That(idleLog, Does.Contain("| WsRest (default options) | 200 / 200 of 200 |"));
        Assert.That(idleLog, Does.Contain("Every idle connection stayed open."));
    }
}
