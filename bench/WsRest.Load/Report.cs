using System.Globalization;
using System.Text;

namespace WsRest.Load;

/// <summary>Markdown tables for the console (and, pasted, for docs/benchmarks.md).</summary>
internal static class Report
{
    public static string ScenarioTable(string title, IReadOnlyList<RunResult> results)
    {
        var baseline = Baseline(results);
        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture, $"### {title}");
        text.AppendLine();
        text.AppendLine("| transport | req/s | vs HTTP/1.1 | p50 ms | p90 ms | p99 ms | alloc B/req | CPU µs/req | CPU % | errors |");
        text.AppendLine("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var r in results)
        {
            if (r.Requests == 0)
            {
                text.AppendLine(CultureInfo.InvariantCulture, $"| {Transports.Name(r.Transport)} | failed | – | – | – | – | – | – | {r.CpuUtilization * 100:0} | {r.Errors + r.HungLoops} |");
                continue;
            }

            text.AppendLine(CultureInfo.InvariantCulture,
                $"| {Transports.Name(r.Transport)} | {r.RequestsPerSecond:N0} | {Ratio(r.RequestsPerSecond, baseline)} | {r.Latency.QuantileMs(0.50):0.000} | {r.Latency.QuantileMs(0.90):0.000} | {r.Latency.QuantileMs(0.99):0.000} | {r.AllocatedBytesPerRequest:N0} | {r.CpuMicrosecondsPerRequest:0.0} | {r.CpuUtilization * 100:0} | {r.Errors + r.HungLoops} |");
        }

        foreach (var r in results.Where(r => r.FirstError is not null))
        {
            text.AppendLine();
            text.AppendLine(CultureInfo.InvariantCulture, $"- **{Transports.Name(r.Transport)}**: {r.Errors} failed requests, {r.HungLoops} hung loops. First: {r.FirstError}");
        }

        return text.ToString();
    }

    /// <summary>
    /// A large-body scenario: throughput in MiB/s of body bytes first (the target is against HTTP/1.1),
    /// then the per-request columns of <see cref="ScenarioTable"/> (latency and CPU in ms: a request is long).
    /// </summary>
    public static string LargeTable(string title, long bytesPerRequest, IReadOnlyList<RunResult> results, string? note = null)
    {
        var baseline = Baseline(results);
        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture, $"### {title}");
        text.AppendLine();
        text.AppendLine("| transport | MiB/s | vs HTTP/1.1 | requests | p50 ms | p90 ms | p99 ms | alloc B/req | alloc B/MiB | CPU ms/req | CPU % | errors |");
        text.AppendLine("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        var mib = (double)bytesPerRequest / LargeBody.BytesPerMib;
        foreach (var r in results)
        {
            if (r.Requests == 0)
            {
                text.AppendLine(CultureInfo.InvariantCulture, $"| {Transports.Name(r.Transport)} | failed | – | 0 | – | – | – | – | – | – | {r.CpuUtilization * 100:0} | {r.Errors + r.HungLoops} |");
                continue;
            }

            text.AppendLine(CultureInfo.InvariantCulture,
                $"| {Transports.Name(r.Transport)} | {r.RequestsPerSecond * mib:N0} | {Ratio(r.RequestsPerSecond, baseline)} | {r.Requests} | {r.Latency.QuantileMs(0.50):0.0} | {r.Latency.QuantileMs(0.90):0.0} | {r.Latency.QuantileMs(0.99):0.0} | {r.AllocatedBytesPerRequest:N0} | {r.AllocatedBytesPerRequest / mib:N0} | {r.CpuMicrosecondsPerRequest / 1000:0.0} | {r.CpuUtilization * 100:0} | {r.Errors + r.HungLoops} |");
        }

        if (note is not null)
        {
            text.AppendLine();
            text.AppendLine(note);
        }

        foreach (var r in results.Where(r => r.FirstError is not null))
        {
            text.AppendLine();
            text.AppendLine(CultureInfo.InvariantCulture, $"- **{Transports.Name(r.Transport)}**: {r.Errors} failed requests, {r.HungLoops} hung loops. First: {r.FirstError}");
        }

        return text.ToString();
    }

    /// <summary>Requests/s of every round, per transport: how far apart the rounds were.</summary>
    /// <param name="unitsPerRequest">What one request is worth in <paramref name="unit"/> (MiB for the large bodies).</param>
    public static string RoundsLine(IReadOnlyDictionary<TransportKind, List<RunResult>> rounds, string unit = "req/s", double unitsPerRequest = 1)
        => $"{unit} in each round: " + string.Join("; ", rounds.Select(p =>
            $"{Transports.Name(p.Key)} " + string.Join(", ", p.Value.Select(r => (r.RequestsPerSecond * unitsPerRequest).ToString("N0", CultureInfo.InvariantCulture))))) + Environment.NewLine;

    public static string RatioTable(IReadOnlyList<(string Scenario, IReadOnlyList<RunResult> Results)> scenarios)
    {
        var kinds = scenarios.SelectMany(s => s.Results).Select(r => r.Transport).Distinct().Order().ToArray();
        var text = new StringBuilder();
        text.AppendLine("### Requests/s relative to HTTP/1.1");
        text.AppendLine();
        text.Append("| scenario |");
        foreach (var kind in kinds)
        {
            text.Append(CultureInfo.InvariantCulture, $" {Transports.Name(kind)} |");
        }

        text.AppendLine();
        text.Append("|---|");
        text.AppendLine(string.Concat(Enumerable.Repeat("---:|", kinds.Length)));
        foreach (var (scenario, results) in scenarios)
        {
            var baseline = Baseline(results);
            text.Append(CultureInfo.InvariantCulture, $"| {scenario} |");
            foreach (var kind in kinds)
            {
                var result = results.FirstOrDefault(r => r.Transport == kind);
                // "not run": the scenario leaves the transport out (SignalR and deflate in the large-body runs).
                text.Append(result is null ? " not run |" : result.Requests > 0 ? $" {Ratio(result.RequestsPerSecond, baseline)} |" : " failed |");
            }

            text.AppendLine();
        }

        return text.ToString();
    }

    /// <summary>
    /// Each transport's requests/s as a share of the batching raw echo's in the same scenario: how close it
    /// comes to what one WebSocket carries on this machine with nothing per request but a record each way.
    /// Only scenarios the batching raw echo ran in (it takes no part in the large bodies).
    /// </summary>
    public static string LimitTable(IReadOnlyList<(string Scenario, IReadOnlyList<RunResult> Results)> scenarios)
    {
        var measured = scenarios.Where(s => s.Results.Any(r => r.Transport == TransportKind.RawBatch)).ToList();
        var kinds = measured.SelectMany(s => s.Results).Select(r => r.Transport).Where(k => k != TransportKind.RawBatch).Distinct().Order().ToArray();
        var text = new StringBuilder();
        text.AppendLine("### Requests/s as % of the batching raw echo (the limit of one socket here)");
        text.AppendLine();
        text.Append("| scenario | batching raw echo req/s |");
        foreach (var kind in kinds)
        {
            text.Append(CultureInfo.InvariantCulture, $" {Transports.Name(kind)} |");
        }

        text.AppendLine();
        text.Append("|---|---:|");
        text.AppendLine(string.Concat(Enumerable.Repeat("---:|", kinds.Length)));
        foreach (var (scenario, results) in measured)
        {
            var limit = results.First(r => r.Transport == TransportKind.RawBatch);
            text.Append(limit.Requests > 0 ? string.Create(CultureInfo.InvariantCulture, $"| {scenario} | {limit.RequestsPerSecond:N0} |") : $"| {scenario} | failed |");
            foreach (var kind in kinds)
            {
                var result = results.FirstOrDefault(r => r.Transport == kind);
                text.Append(result is null ? " not run |" : result.Requests == 0 ? " failed |" : limit.Requests == 0 ? " – |" : string.Create(CultureInfo.InvariantCulture, $" {result.RequestsPerSecond / limit.RequestsPerSecond * 100:0} % |"));
            }

            text.AppendLine();
        }

        return text.ToString();
    }

    /// <summary>
    /// The JSON encoding beside binary WsRest and HTTP/1.1 (issue 17): small-GET requests/s at each
    /// concurrency of the run and the bytes on the wire per small GET, from the tables above.
    /// </summary>
    public static string EncodingTable(IReadOnlyList<(int Concurrency, IReadOnlyList<RunResult> Results)> smallGets, IReadOnlyList<WireResult> wire)
    {
        TransportKind[] kinds = [TransportKind.Http11, TransportKind.WsRest, TransportKind.WsRestJson];
        var text = new StringBuilder();
        text.AppendLine("### Small GET: the JSON encoding beside binary WsRest and HTTP/1.1");
        text.AppendLine();
        text.Append("| transport |");
        foreach (var (concurrency, _) in smallGets)
        {
            text.Append(CultureInfo.InvariantCulture, $" req/s, {concurrency} in flight |");
        }

        text.AppendLine(" wire B/req |");
        text.Append("|---|");
        text.AppendLine(string.Concat(Enumerable.Repeat("---:|", smallGets.Count + 1)));
        foreach (var kind in kinds)
        {
            text.Append(CultureInfo.InvariantCulture, $"| {Transports.Name(kind)} |");
            foreach (var (_, results) in smallGets)
            {
                var result = results.FirstOrDefault(r => r.Transport == kind);
                text.Append(result is null ? " not run |" : result.Requests == 0 ? " failed |" : string.Create(CultureInfo.InvariantCulture, $" {result.RequestsPerSecond:N0} |"));
            }

            var bytes = wire.FirstOrDefault(w => w.Transport == kind);
            text.AppendLine(bytes is null ? " not run |" : bytes.Error is not null ? " failed |" : string.Create(CultureInfo.InvariantCulture, $" {bytes.TotalPerRequest:0.0} |"));
        }

        return text.ToString();
    }

    public static string WireTable(IReadOnlyList<WireResult> results)
    {
        var text = new StringBuilder();
        var n = results.Count > 0 ? results[0].Requests : 0;
        text.AppendLine(CultureInfo.InvariantCulture, $"### Bytes on the wire per small GET (N = {n} sequential, after 200 warm-up requests)");
        text.AppendLine();
        text.AppendLine("| transport | client→server B/req | server→client B/req | total B/req | connect + warm-up bytes |");
        text.AppendLine("|---|---:|---:|---:|---:|");
        foreach (var r in results)
        {
            text.AppendLine(r.Error is null
                ? string.Create(CultureInfo.InvariantCulture, $"| {Transports.Name(r.Transport)} | {r.UpPerRequest:0.0} | {r.DownPerRequest:0.0} | {r.TotalPerRequest:0.0} | {r.ConnectAndWarmupBytes:N0} |")
                : string.Create(CultureInfo.InvariantCulture, $"| {Transports.Name(r.Transport)} | failed: {r.Error} | | | |"));
        }

        return text.ToString();
    }

    /// <summary>HTTP/1.1's requests/s in a scenario, or NaN when the run left HTTP/1.1 out (<c>--transports</c>).</summary>
    private static double Baseline(IEnumerable<RunResult> results)
        => results.FirstOrDefault(r => r.Transport == TransportKind.Http11 && r.Requests > 0)?.RequestsPerSecond ?? double.NaN;

    /// <summary>"1.23x" against HTTP/1.1, or "–" when there is no HTTP/1.1 figure to divide by.</summary>
    private static string Ratio(double requestsPerSecond, double baseline)
        => double.IsNaN(baseline) ? "–" : string.Create(CultureInfo.InvariantCulture, $"{requestsPerSecond / baseline:0.00}x");
}
