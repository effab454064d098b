using System.Collections.Concurrent;
using System.Diagnostics;

namespace WsRest.Soak;

/// <summary>Every request the soak issued and how it ended; the requests still running are what "hung" is counted from.</summary>
internal sealed class RequestTally
{
    private const int SamplesKept = 10;

    private readonly long[,] _counts = new long[Enum.GetValues<RequestKind>().Length, Enum.GetValues<RequestOutcome>().Length];
    private readonly ConcurrentDictionary<long, (RequestKind Kind, long StartedAt)> _inFlight = new();
    private readonly ConcurrentDictionary<string, long> _typedReasons = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<string> _problems = new();
    private readonly ConcurrentBag<string> _succeededPosts = [];
    private readonly ConcurrentBag<string> _failedPosts = [];
    private long _nextId;
    private long _issued;
    private long _longestTicks;

    public long Issued => Interlocked.Read(ref _issued);

    public long Count(RequestOutcome outcome)
    {
        long sum = 0;
        for (var kind = 0; kind < _counts.GetLength(0); kind++)
        {
            sum += Interlocked.Read(ref _counts[kind, (int)outcome]);
        }

        return sum;
    }

    public long Count(RequestKind kind, RequestOutcome outcome) => Interlocked.Read(ref _counts[(int)kind, (int)outcome]);

    public TimeSpan Longest => Stopwatch.GetElapsedTime(0, Interlocked.Read(ref _longestTicks));

    public IReadOnlyCollection<string> SucceededPosts => _succeededPosts;

    public IReadOnlyCollection<string> FailedPosts => _failedPosts;

    public IEnumerable<KeyValuePair<string, long>> TypedReasons => _typedReasons.OrderByDescending(static r => r.Value);

    public IEnumerable<string> Problems => _problems;

    public IEnumerable<(RequestKind Kind, TimeSpan Age)> StillRunning()
        => _inFlight.Values.Select(static r => (r.Kind, Stopwatch.GetElapsedTime(r.StartedAt)));

    public long Start(RequestKind kind)
    {
        Interlocked.Increment(ref _issued);
        var id = Interlocked.Increment(ref _nextId);
        _inFlight[id] = (kind, Stopwatch.GetTimestamp());
        return id;
    }

    public void End(long id, RequestOutcome outcome, string? postId = null, string? detail = null)
    {
        if (!_inFlight.TryRemove(id, out var request))
        {
            throw new InvalidOperationException($"request {id} ended twice");
        }

        var ticks = Stopwatch.GetTimestamp() - request.StartedAt;
        var longest = Interlocked.Read(ref _longestTicks);
        while (ticks > longest && Interlocked.CompareExchange(ref _longestTicks, ticks, longest) != longest)
        {
            longest = Interlocked.Read(ref _longestTicks);
        }

        Interlocked.Increment(ref _counts[(int)request.Kind, (int)outcome]);
        if (postId is not null)
        {
            (outcome == RequestOutcome.Response ? _succeededPosts : _failedPosts).Add(postId);
        }

        if (outcome == RequestOutcome.TypedFailure && detail is not null)
        {
            _typedReasons.AddOrUpdate(detail, 1, static (_, n) => n + 1);
        }
        else if (outcome is RequestOutcome.WrongResponse or RequestOutcome.UntypedFailure && _problems.Count < SamplesKept)
        {
            _problems.Enqueue($"{request.Kind} {outcome}: {detail}");
        }
    }
}
