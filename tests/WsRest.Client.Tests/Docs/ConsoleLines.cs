using System.Text;

namespace WsRest.Client.Tests.Docs;

/// <summary>
/// Captures what the examples write with <see cref="Console.WriteLine(string)"/> (they print, as an
/// app would) and lets a test await a line. Installed for the duration of one test; the test
/// assembly runs its tests one at a time, so the process-wide console is the test's own.
/// </summary>
internal sealed class ConsoleLines : TextWriter
{
    private readonly TextWriter _previous;
    private readonly StringBuilder _line = new();
    private readonly List<string> _lines = [];
    private readonly List<(Func<string, bool> Match, TaskCompletionSource<string> Found)> _waiters = [];
    private readonly Lock _gate = new();

    private ConsoleLines(TextWriter previous) => _previous = previous;

    public override Encoding Encoding => Encoding.UTF8;

    public static ConsoleLines Capture()
    {
        var lines = new ConsoleLines(Console.Out);
        Console.SetOut(lines);
        return lines;
    }

    /// <summary>The first line, printed before or after the call, that <paramref name="match"/> accepts.</summary>
    public Task<string> WaitForAsync(Func<string, bool> match)
    {
        lock (_gate)
        {
            if (_lines.FirstOrDefault(match) is { } line)
            {
                return Task.FromResult(line);
            }

            var found = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
            _waiters.Add((match, found));
            return found.Task;
        }
    }

    public override void Write(char value)
    {
        lock (_gate)
        {
            if (value == '\r')
            {
                return;
            }

            if (value != '\n')
            {
                _line.Append(value);
                return;
            }

            var line = _line.ToString();
            _line.Clear();
            _lines.Add(line);
            foreach (var waiter in _waiters.Where(w => w.Match(line)).ToList())
            {
                _waiters.Remove(waiter);
                waiter.Found.TrySetResult(line);
            }
        }
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            Console.SetOut(_previous);
        }

        base.Dispose(disposing);
    }
}
