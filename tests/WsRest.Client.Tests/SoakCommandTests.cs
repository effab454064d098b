using System.Globalization;
using System.Text.RegularExpressions;
using WsRest.Client.Tests.Infrastructure;

namespace WsRest.Client.Tests;

/// <summary>
/// The soak command (bench/WsRest.Soak, docs/resilience.md "Soak") runs briefly: requests and faults really
/// happened, and it exits 0, i.e. no request hung or failed untyped, no POST ran twice or went unrecorded, and
/// no event was silently lost. The seed is fixed so a failure can be repeated with the same command.
/// </summary>
[TestFixture]
public sealed partial class SoakCommandTests
{
    [Test]
    public async Task TheSoakCommandRunsBrieflyAndEveryInvariantHolds()
    {
        var (exitCode, log) = await RepositoryProcess.RunBenchAsync("WsRest.Soak", ["--duration", "12", "--connections", "4", "--seed", "13"]);

        Assert.That(exitCode, Is.Zero, log);
        Assert.That(log, Does.Contain("RESULT: every invariant held"), log);
        Assert.That(Number(FaultsInjected(), log), Is.GreaterThan(0), "faults were injected");
        Assert.That(Number(AllRequests(), log), Is.GreaterThan(100), "requests were issued");
        Assert.That(Number(PostsSucceeded(), log), Is.GreaterThan(0), "POSTs succeeded and were checked on the server");
        Assert.That(Number(EventsReceived(), log), Is.GreaterThan(0), "events were received");
    }

    private static long Number(Regex pattern, string log)
    {
        var match = pattern.Match(log);
        Assert.That(match.Success, Is.True, $"'{pattern}' in:\n{log}");
        return long.Parse(match.Groups[1].Value, NumberStyles.AllowThousands, CultureInfo.InvariantCulture);
    }

    [GeneratedRegex(@"Faults injected: ([0-9,]+)")]
    private static partial Regex FaultsInjected();

    [GeneratedRegex(@"\| all \| ([0-9,]+) \|")]
    private static partial Regex AllRequests();

    [GeneratedRegex(@"POSTs: ([0-9,]+) succeeded")]
    private static partial Regex PostsSucceeded();

    [GeneratedRegex(@"received ([0-9,]+), gap-reported")]
    private static partial Regex EventsReceived();
}
