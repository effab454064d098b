using WsRest.Client.Tests.Infrastructure;

namespace WsRest.Client.Tests;

/// <summary>
/// The load program still works: its transports (SignalR included) and its pub/sub fan-out run
/// briefly (no figures are asserted; measurement is the full mode's job, docs/benchmarks.md).
/// </summary>
[TestFixture]
public sealed class LoadProgramQuickModeTests
{
    [Test]
    public async Task TheLoadProgramRunsEveryTransportAndThePubSubFanOut()
    {
        var (exitCode, log) = await RepositoryProcess.RunAsync(
            "dotnet",
            ["run", "-c", "Release", "--project", "bench/WsRest.Load", "--", "--duration", "0.5", "--warmup", "0.2", "--concurrency", "1,16", "--wire-requests", "100"],
            TimeSpan.FromMinutes(5));

        Assert.That(exitCode, Is.Zero, log);
        Assert.That(log, Does.Contain("No failed or hung requests."));
        Assert.That(log, Does.Contain("WsRest (1 conn)"));
        // A SignalR row with a measured rate (a failed transport prints "failed"), and its wire-bytes row.
        Assert.That(log, Does.Match(@"\| SignalR \(1 conn\) \| [0-9][0-9,]* \|"));
        Assert.That(log, Does.Match(@"\| SignalR \(1 conn\) \| [0-9.]+ \| [0-9.]+ \| [0-9.]+ \|"));
        Assert.That(log, Does.Contain("WsRest+deflate (1 conn)"));

        var (pubSubExit, pubSubLog) = await RepositoryProcess.RunAsync(
            "dotnet",
            ["run", "-c", "Release", "--no-build", "--project", "bench/WsRest.Load", "--", "--pubsub", "--deliveries", "20000", "--lossless-deliveries", "20000"],
            TimeSpan.FromMinutes(5));

        Assert.That(pubSubExit, Is.Zero, pubSubLog);
    }
}
