using WsRest.Client;
using WsRest.Tests.Infrastructure;

namespace WsRest.Soak;

/// <summary>The figures of one run and the invariants checked on them.</summary>
internal sealed class SoakResult(
    SoakOptions options,
    TimeSpan elapsed,
    RequestTally tally,
    IReadOnlyList<(RequestKind Kind, TimeSpan StartedAt)> hung,
    PostLedger ledger,
    long eventsPublished,
    IReadOnlyList<Subscriber> subscribers,
    FaultInjector faults,
    int restarts,
    ConnectionEventCounts connectionEvents,
    FaultProxy proxy,
    IReadOnlyList<string> problems)
{
    public long Requests => tally.Issued;

    public int Faults => faults.Total;

    /// <summary>Prints the summary; returns the broken invariants (none: the run passed).</summary>
    public List<string> Report(TextWriter log)
    {
        var broken = new List<string>(problems);
        log.WriteLine();
        log.WriteLine($"## Soak: {options.Connections} connections × {options.RequestsInFlight} in flight, {options.Duration.TotalSeconds:0.#} s of faults, seed {options.Seed}, {Environment.ProcessorCount} cores, wall time {elapsed.TotalSeconds:0} s");
        log.WriteLine();
        log.WriteLine($"Faults injected: {faults.Total} — " + string.Join(", ", faults.Counts.Select(static c => $"{c.Key}: {c.Value}")));
        log.WriteLine($"Server restarts: {restarts}. Proxy: {proxy.ConnectionsAccepted:N0} connections accepted, {proxy.ConnectionsRejected:N0} refused, {proxy.UpstreamConnectFailures:N0} to a stopped server, {proxy.BytesDropped:N0} bytes blackholed");
        log.WriteLine($"Client connection events: {connectionEvents[WsRestClientEventKind.Disconnected]:N0} disconnected, {connectionEvents[WsRestClientEventKind.Reconnecting]:N0} reconnect attempts, {connectionEvents[WsRestClientEventKind.Reconnected]:N0} reconnected, {connectionEvents[WsRestClientEventKind.Closed]:N0} closed");
        log.WriteLine();
        log.WriteLine("| Request | Issued | Response | Typed failure | Cancelled | Wrong response | Untyped failure |");
        log.WriteLine("|---|---:|---:|---:|---:|---:|---:|");
        foreach (var kind in Enum.GetValues<RequestKind>())
        {
            var counts = Enum.GetValues<RequestOutcome>().Select(o => tally.Count(kind, o)).ToArray();
            log.WriteLine($"| {kind} | {counts.Sum():N0} | " + string.Join(" | ", counts.Select(static c => c.ToString("N0", System.Globalization.CultureInfo.InvariantCulture))) + " |");
        }

        var outcomes = Enum.GetValues<RequestOutcome>().Select(o => tally.Count(o)).ToArray();
        log.WriteLine($"| all | {tally.Issued:N0} | " + string.Join(" | ", outcomes.Select(static c => c.ToString("N0", System.Globalization.CultureInfo.InvariantCulture))) + " |");
        log.WriteLine();
        log.WriteLine($"Hung (still running {options.DrainTimeout.TotalSeconds:0} s after the faults stopped): {hung.Count}. Longest request that ended: {tally.Longest.TotalSeconds:0.0} s");
        log.WriteLine("Typed failures by kind: " + (tally.TypedReasons.Any() ? string.Join(", ", tally.TypedReasons.Select(static r => $"{r.Key} {r.Value:N0}")) : "none"));

        var accountedFor = outcomes.Sum() + hung.Count;
        if (accountedFor != tally.Issued)
        {
            broken.Add($"{tally.Issued:N0} requests issued but {accountedFor:N0} accounted for");
        }

        if (hung.Count > 0)
        {
            broken.Add($"{hung.Count} requests hung: " + string.Join(", ", hung.GroupBy(static h => h.Kind).Select(g => $"{g.Key} ×{g.Count()} (oldest {(elapsed - g.Min(static h => h.StartedAt)).TotalSeconds:0} s)")));

            // What the network and the server went through just before: the first thing to look at.
            var first = hung.Min(static h => h.StartedAt);
            var last = hung.Max(static h => h.StartedAt);
            var around = faults.Timeline.Where(f => f.At >= first - TimeSpan.FromSeconds(10) && f.At <= last + TimeSpan.FromSeconds(1)).ToList();
            broken.Add($"the hung requests started between {first.TotalSeconds:0.0} s and {last.TotalSeconds:0.0} s; faults from 10 s before: " + (around.Count == 0 ? "none" : string.Join(", ", around.Select(static f => $"{f.Fault} at {f.At.TotalSeconds:0.0} s"))));
        }

        if (tally.Count(RequestOutcome.WrongResponse) + tally.Count(RequestOutcome.UntypedFailure) > 0)
        {
            broken.Add($"{tally.Count(RequestOutcome.WrongResponse)} wrong responses and {tally.Count(RequestOutcome.UntypedFailure)} untyped failures; first ones:\n    " + string.Join("\n    ", tally.Problems));
        }

        // The server's record: no POST ran twice; every POST the client saw succeed ran (exactly once).
        var twice = ledger.RanMoreThanOnce().ToList();
        var notRecorded = tally.SucceededPosts.Where(id => ledger.ExecutionsOf(id) == 0).ToList();
        var failedButRan = tally.FailedPosts.Count(id => ledger.ExecutionsOf(id) > 0);
        log.WriteLine($"POSTs: {tally.SucceededPosts.Count:N0} succeeded, all recorded on the server: {(notRecorded.Count == 0 ? "yes" : "NO")}; {twice.Count} ran twice; {tally.FailedPosts.Count:N0} failed or were cancelled, of which {failedButRan:N0} had run on the server (the caller cannot know: not retried)");
        if (twice.Count > 0)
        {
            broken.Add($"{twice.Count} POSTs ran more than once: " + string.Join(", ", twice.Take(10)));
        }

        if (notRecorded.Count > 0)
        {
            broken.Add($"{notRecorded.Count} POSTs answered 201 but not recorded on the server: " + string.Join(", ", notRecorded.Take(10)));
        }

        var events = subscribers.Aggregate(default(EventCounts), static (sum, s) => sum + s.Counts);
        var violations = subscribers.SelectMany(static s => s.Violations).ToList();
        var hungUnsubscribes = subscribers.Sum(static s => s.HungUnsubscribes);
        log.WriteLine($"Events: {eventsPublished:N0} published; {events.Subscriptions:N0} subscriptions accounted ({subscribers.Sum(static s => s.SubscribeFailures):N0} subscribe attempts failed during faults); received {events.Received:N0}, gap-reported {events.GapReported:N0}, silently lost {events.SilentlyLost:N0}, delivered twice {events.Twice:N0}; unsubscribes hung: {hungUnsubscribes}; not accountable because the unsubscribe completed across a lost connection (documented): {events.AfterUnacknowledgedUnsubscribe:N0}");
        if (events.SilentlyLost > 0 || events.Twice > 0 || violations.Count > 0 || hungUnsubscribes > 0)
        {
            broken.Add($"pub/sub: {events.SilentlyLost} events silently lost, {events.Twice} twice, {hungUnsubscribes} unsubscribes hung; first violations:\n    " + string.Join("\n    ", violations.Take(10)));
        }

        log.WriteLine($"Process: {Environment.WorkingSet / (1024 * 1024)} MiB working set, {GC.GetTotalMemory(forceFullCollection: true) / (1024 * 1024)} MiB managed heap after a full GC");
        log.WriteLine();
        if (broken.Count == 0)
        {
            log.WriteLine("RESULT: every invariant held");
        }
        else
        {
            log.WriteLine("RESULT: invariants broken:");
            foreach (var b in broken)
            {
                log.WriteLine("  - " + b);
            }
        }

        return broken;
    }
}
