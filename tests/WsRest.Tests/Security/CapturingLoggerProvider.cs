using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace WsRest.Tests.Security;

/// <summary>Keeps every log entry, at every level, as "category[event id] message".</summary>
internal sealed class CapturingLoggerProvider(ConcurrentQueue<string> entries) : ILoggerProvider
{
    public ConcurrentQueue<string> Entries { get; } = entries;

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void Dispose()
    {
    }

    private sealed class Logger(CapturingLoggerProvider owner, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
            => owner.Entries.Enqueue($"{category}[{eventId.Id}] {formatter(state, exception)} {exception}");
    }
}
