using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace WsRest.Tests.Infrastructure;

/// <summary>Collects warnings and errors so a failing test can show what the server logged.</summary>
public sealed class TestLoggerProvider : ILoggerProvider
{
    public ConcurrentQueue<string> Entries { get; } = new();

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void Dispose()
    {
    }

    private sealed class Logger(TestLoggerProvider owner, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Warning;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (IsEnabled(logLevel))
            {
                var line = $"{logLevel} {category}[{eventId.Id}] {formatter(state, exception)} {exception?.GetType().Name}: {exception?.Message}";
                owner.Entries.Enqueue(line);
                TestContext.Progress.WriteLine(line);
            }
        }
    }
}
