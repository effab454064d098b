using WsRest.Client.Tests.Infrastructure;

namespace WsRest.Client.Tests;

/// <summary>
/// The command lines of the load program and the fuzzer (System.CommandLine, eng/CommandLine): <c>--help</c>
/// exits 0 and lists every mode and option with its default; a bad argument is one line on stderr and exit
/// code 2; the option names that scripts and docs use keep working; the load program's status line shows
/// on a terminal only. The programs run from their own build output (this project references them).
/// </summary>
[TestFixture]
public sealed class BenchCommandLineTests
{
    [Test]
    public async Task TheLoadProgramsHelpListsEveryModeAndOptionAndABadArgumentExitsWithTwo()
    {
        var (helpExit, help) = await RunAsync("WsRest.Load", "--help");

        Assert.That(helpExit, Is.Zero, help);
        using (Assert.EnterMultipleScope())
        {
            // Every option docs/benchmarks.md and the README name, the four modes among them.
            foreach (var option in new[]
            {
                "--duration", "--warmup", "--concurrency", "--echo-concurrency", "--wire-requests", "--rounds", "--transports", "--alloc-profile",
                "--large-size-mib", "--large-concurrency", "--large-requests", "--pubsub", "--deliveries", "--lossless-deliveries", "--pubsub-timeout",
                "--upload-memory", "--upload-size-mib", "--uploads", "--upload-rate-mib", "--idle", "--idle-connections", "--idle-hold", "--idle-kinds",
                "--cluster", "--cluster-events", "--cluster-calls",
            })
            {
                Assert.That(help, Does.Contain($"\n  {option} "), $"--help lists {option}");
            }

            Assert.That(help, Does.Match(@"--duration <duration> +Measured window .*\[default: 5\]"));
            Assert.That(help, Does.Contain("[default: 1,16,64,256]"));
            // The batching raw echo (the limit row) is one of the transports every default run compares.
            Assert.That(help, Does.Contain("[default: http11,http2,wsrest,wsrest-deflate,wsrest-json,signalr,raw,raw-batch]"));
            Assert.That(help, Does.Match(@"--idle +Mode: "));
        }

        await AssertRejectedAsync("WsRest.Load", "--rounds must be in 1..20; got 30.", "--rounds", "30");
        await AssertRejectedAsync("WsRest.Load", "'foo' is not a valid value of --transports", "--transports", "wsrest,foo");
        await AssertRejectedAsync("WsRest.Load", "--duration needs a number; got '1,5'.", "--duration", "1,5");
        await AssertRejectedAsync("WsRest.Load", "Choose one mode, not --idle and --cluster.", "--idle", "--cluster");
        await AssertRejectedAsync("WsRest.Load", "Unrecognized command or argument '--bogus'", "--bogus");
    }

    [Test]
    public async Task TheLoadProgramRunsTheOptionsItWasGivenAndShowsProgressOnATerminalOnly()
    {
        string[] run = ["--duration", "0.3", "--warmup", "0", "--concurrency", "2", "--echo-concurrency", "1", "--wire-requests", "10", "--transports", "wsrest", "--large-size-mib", "0"];

        var (exitCode, log) = await RunAsync("WsRest.Load", run);

        Assert.That(exitCode, Is.Zero, log);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(log, Does.Contain("### GET /small, 2 in flight"), "--concurrency 2");
            Assert.That(log, Does.Contain("### POST /echo4k (4 KiB each way), 1 in flight"), "--echo-concurrency 1");
            Assert.That(log, Does.Contain("(N = 10 sequential"), "--wire-requests 10");
            Assert.That(log, Does.Not.Contain("HTTP/1.1 (pool) |"), "--transports wsrest");
            Assert.That(log, Does.Not.Contain("\r"), "no status line when the output is redirected");
        }

        // script(1) (util-linux, on every Debian) runs the program on a pseudo-terminal: the status line appears.
        string[] command = ["dotnet", RepositoryProcess.BenchProgramPath("WsRest.Load"), .. run];
        var (terminalExit, terminalLog) = await RepositoryProcess.RunAsync("script", ["-qec", string.Join(' ', command), "/dev/null"], RepositoryProcess.DefaultTimeout);

        Assert.That(terminalExit, Is.Zero, terminalLog);
        Assert.That(terminalLog, Does.Match(@"\r\[00:\d\d\] GET /small, 2 in flight — WsRest \(1 conn\), round 1/1"));
    }

    [Test]
    public async Task TheFuzzersHelpListsEveryModeAndOptionAndABadArgumentExitsWithTwo()
    {
        var (helpExit, help) = await RunAsync("WsRest.Fuzz", "--help");

        Assert.That(helpExit, Is.Zero, help);
        using (Assert.EnterMultipleScope())
        {
            foreach (var option in new[] { "--inputs", "--seed", "--workers", "--hang-timeout", "--progress", "--reasons", "--no-minimize", "--input", "--index", "--seeds" })
            {
                Assert.That(help, Does.Contain($"\n  {option} "), $"--help lists {option}");
            }

            Assert.That(help, Does.Match(@"--inputs <inputs> +.*\[default: 10000000\]"));
            Assert.That(help, Does.Match(@"--seeds +Mode: "));
        }

        await AssertRejectedAsync("WsRest.Fuzz", "--inputs needs a positive whole number; got 'many'.", "--inputs", "many");
        await AssertRejectedAsync("WsRest.Fuzz", "--input needs hexadecimal bytes; got 'zz'.", "--input", "zz");
        await AssertRejectedAsync("WsRest.Fuzz", "Choose one mode, not --index and --seeds.", "--index", "3", "--seeds");

        // docs/fuzzing.md's replay and a short run with thousands separators still work.
        var (replayExit, replay) = await RunAsync("WsRest.Fuzz", "--index", "5", "--seed", "7");
        Assert.That(replayExit, Is.Zero, replay);
        Assert.That(replay, Does.Match("^input: [0-9a-f]+\n"), "input number 5 of seed 7, regenerated");

        var (runExit, run) = await RunAsync("WsRest.Fuzz", "--inputs", "2,000", "--workers", "1");
        Assert.That(runExit, Is.Zero, run);
        Assert.That(run, Does.Contain("WsRest codec fuzzer: 2,000 inputs, seed 1, 1 workers"));
    }

    private static async Task AssertRejectedAsync(string project, string message, params string[] arguments)
    {
        var (exitCode, log) = await RunAsync(project, arguments);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(exitCode, Is.EqualTo(2), log);
            Assert.That(log, Does.Contain(message));
            Assert.That(log.TrimEnd(), Does.Not.Contain('\n'), "one line");
        }
    }

    private static Task<(int ExitCode, string Output)> RunAsync(string program, params string[] arguments) =>
        RepositoryProcess.RunBenchAsync(program, arguments);
}
