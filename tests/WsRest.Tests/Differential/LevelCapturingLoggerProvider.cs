using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace WsRest.Tests.Differential;

/// <summary>One captured log entry, with its level (which the suite's other providers drop).</summary>
public sealed record CapturedLogEntry(LogLevel Level, string Category, int EventId, string Message, Exception? Exception)
{
    public override string ToString() => $"{Level} {Category}[{EventId}] {Message} {Exception?.GetType().Name}: {Exception?.Message}";
}

/// <summary>Keeps every entry at every level and lets a test await the entry it expects, instead of sleeping.</summary>
public sealed class LevelCapturingLoggerProvider : ILoggerProvider
{
    private readonly ConcurrentQueue<CapturedLogEntry> _entries = new();
    private readonly List<(Func<CapturedLogEntry, bool> Match, TaskCompletionSource<CapturedLogEntry> Found)> _waiters = [];

    public IReadOnlyCollection<CapturedLogEntry> Entries => _entries;

    /// <summary>The first entry (already logged or still to come) that <paramref name="match"/> accepts.</summary>
    public Task<CapturedLogEntry> WaitForAsync(Func<CapturedLogEntry, bool> match)
    {
        var found = new TaskCompletionSource<CapturedLogEntry>(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_waiters)
        {
            if (_entries.FirstOrDefault(match) is { } entry)
            {
                return Task.FromResult(entry);
            }

            _waiters.Add((match, found));
        }

        return found.Task;
    }

    /// <summary>Drops the entries <paramref name="match"/> accepts (ones a test provoked on purpose).</summary>
    public void Forget(Func<CapturedLogEntry, bool> match)
    {
        lock (_waiters)
        {
            var kept = _entries.Where(entry => !match(entry)).ToList();
            _entries.Clear();
            foreach (var entry in kept)
            {
                _entries.Enqueue(entry);
            }
        }
    }

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void Dispose()
    {
    }

    private void Add(CapturedLogEntry entry)
    {
        lock (_waiters)
        {
            _entries.Enqueue(entry);
            for (var i = _waiters.Count - 1; i >= 0; i--)
            {
                if (_waiters[i].Match(entry))
                {
                    _waiters[i].Found.TrySetResult(entry);
                    _waiters.RemoveAt(i);
                }
            }
        }
    }

    private sealed class Logger(LevelCapturingLoggerProvider owner, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
            => owner.Add(new CapturedLogEntry(logLevel, category, eventId.Id, formatter(state, exception), exception));
    }
}
