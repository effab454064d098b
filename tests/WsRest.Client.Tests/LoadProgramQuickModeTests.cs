using WsRest.Client.Tests.Infrastructure;

namespace WsRest.Client.Tests;

/// <summary>
/// The load program still works: its transports (SignalR, WsRest+deflate and WsRest JSON included), its
/// large-body scenarios (at 4 MiB), its upload memory mode (4 uploads of 4 MiB), its pub/sub fan-out
/// and its idle-connection measurement run briefly (no figures are asserted; measurement is the full
/// mode's job, docs/benchmarks.md).
/// </summary>
[TestFixture]
public sealed class LoadProgramQuickModeTests
{
    [Test]
    public async Task TheLoadProgramRunsEveryModeBriefly()
    {
        var (exitCode, log) = await RepositoryProcess.RunBenchAsync("WsRest.Load", ["--duration", "0.5", "--warmup", "0.2", "--concurrency", "1,16", "--wire-requests", "100", "--rounds", "2", "--large-size-mib", "4", "--large-concurrency", "1,2", "--large-requests", "2"]);

        Assert.That(exitCode, Is.Zero, log);
        Assert.That(log, Does.Contain("No failed or hung requests."));
        Assert.That(log, Does.Contain("WsRest (1 conn)"));
        Assert.That(log, Does.Contain("req/s in each round: HTTP/1.1 (pool) "));
        // A SignalR row with a measured rate (a failed transport prints "failed"), and its wire-bytes row.
        Assert.That(log, Does.Match(@"\| SignalR \(1 conn\) \| [0-9][0-9,]* \|"));
        Assert.That(log, Does.Match(@"\| SignalR \(1 conn\) \| [0-9.]+ \| [0-9.]+ \| [0-9.]+ \|"));
        Assert.That(log, Does.Contain("WsRest+deflate (1 conn)"));
        Assert.That(log, Does.Match(@"\| WsRest JSON \(1 conn\) \| [0-9][0-9,]* \|"), "the JSON encoding gets a measured rate");
        Assert.That(log, Does.Contain("### GET /download (4 MiB), 2 in flight"));
        Assert.That(log, Does.Contain("### POST /upload (4 MiB up, byte count back), 2 in flight"));

        var (uploadExit, uploadLog) = await RepositoryProcess.RunBenchAsync("WsRest.Load", ["--upload-memory", "--upload-size-mib", "4", "--uploads", "4"]);

        Assert.That(uploadExit, Is.Zero, uploadLog);
        foreach (var transport in new[] { "HTTP/1.1 (pool)", "HTTP/2 (1 conn)", "WsRest (1 conn)" })
        {
            Assert.That(uploadLog, Does.Contain($"{transport}: 4/4 uploads of 4 MiB counted in full by the server"));
        }

        var (pubSubExit, pubSubLog) = await RepositoryProcess.RunBenchAsync("WsRest.Load", ["--pubsub", "--deliveries", "20000", "--lossless-deliveries", "20000"]);

        Assert.That(pubSubExit, Is.Zero, pubSubLog);

        // The idle measurement starts its clients in a child process and fails (exit 1) if any of them
        // dropped during the hold.
        var (idleExit, idleLog) = await RepositoryProcess.RunBenchAsync("WsRest.Load", ["--idle", "--idle-connections", "200", "--idle-hold", "1"]);

        Assert.That(idleExit, Is.Zero, idleLog);
        Assert.That(idleLog, Does.Contain("| WsRest (default options) | 200 / 200 of 200 |"));
        Assert.That(idleLog, Does.Contain("Every idle connection stayed open."));
    }
}
