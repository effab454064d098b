using System.Text.RegularExpressions;
using WsRest.Client.Tests.Infrastructure;

namespace WsRest.Client.Tests;

/// <summary>
/// The load program still works: its transports (SignalR, WsRest+deflate, WsRest JSON and the batching raw echo included), its
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

    [Test]
    public async Task TheBatchingRawEchoAnswersEveryRequestAndFiveRoundsReportTheirMedian()
    {
        // The batching raw echo checks every answer byte for byte: a wrong or missing one is a failed or hung
        // request, which makes the program exit with 1 and name the transport under "Problems seen".
        var (exitCode, log) = await RepositoryProcess.RunBenchAsync("WsRest.Load", ["--duration", "0.3", "--warmup", "0.1", "--concurrency", "1,64", "--echo-concurrency", "8", "--wire-requests", "50", "--rounds", "5", "--large-size-mib", "0", "--transports", "wsrest,raw-batch"]);

        Assert.That(exitCode, Is.Zero, log);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(log, Does.Contain("No failed or hung requests."));
            foreach (var scenario in new[] { "GET /small, 1 in flight", "GET /small, 64 in flight", "POST /echo4k (4 KiB each way), 8 in flight" })
            {
                // A measured rate and zero errors in the scenario's table, and a share in the limit table.
                var start = log.IndexOf($"### {scenario}\n", StringComparison.Ordinal);
                Assert.That(start, Is.GreaterThanOrEqualTo(0), $"a table for {scenario}");
                var end = log.IndexOf("\n### ", start + 4, StringComparison.Ordinal);
                var table = log[start..(end < 0 ? log.Length : end)];
                Assert.That(table, Does.Match(@"\n\| raw WebSocket, batching \(1 conn\) \| [1-9][0-9,]* \|[^\n]*\| 0 \|\n"), scenario);
                Assert.That(log, Does.Match($@"\| {Regex.Escape(scenario)} \| [1-9][0-9,]* \| [0-9]+ % \|"), $"{scenario}: WsRest as % of the batching raw echo");
            }

            // Five rounds per transport, in rotating order, the median round shown; the report says where it ran.
            Assert.That(log, Does.Match(@"req/s in each round: WsRest \(1 conn\) [0-9,]+(, [0-9,]+){4}; raw WebSocket, batching \(1 conn\) [0-9,]+(, [0-9,]+){4}\n"));
            Assert.That(log, Does.Contain("5 round(s) (the median round is shown)"));
            Assert.That(log, Does.Match(@"\ncommit ([0-9a-f]{40}|unknown \(built outside git\)); machine [^\n]+, [0-9]+ cores, "));
            Assert.That(log, Does.Contain("load average at start: "));
            Assert.That(log, Does.Contain("load average at end: "));
            Assert.That(log, Does.Match(@"\| raw WebSocket, batching \(1 conn\) \| [0-9.]+ \| [0-9.]+ \| [0-9.]+ \|"), "wire bytes of the batching raw echo");
        }
    }
}
