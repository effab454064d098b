using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace WsRest.CommandLine;

/// <summary>
/// One status line at the bottom of an interactive terminal ("[02:13] GET /small, 64 in flight — WsRest
/// (1 conn), round 2/3"), redrawn every second with the elapsed time. Only when standard output is a
/// terminal: a log file or a pipe gets the program's output alone, unchanged. While it runs it stands
/// in for <see cref="Console.Out"/>, so every line the program prints erases the status line first and
/// the status is drawn again below it.
/// </summary>
internal sealed class ConsoleProgress : IDisposable
{
    private readonly Lock _lock = new();
    private readonly TextWriter _terminal;
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly Timer _timer;
    private string _status = string.Empty;
    private int _drawnWidth;
    private bool _atLineStart = true;

    private ConsoleProgress(TextWriter terminal)
    {
        _terminal = terminal;
        Console.SetOut(new Writer(this));
        _timer = new Timer(_ => Redraw(), null, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1));
    }

    /// <summary>A progress line on an interactive terminal; null (nothing shown) when output is redirected.</summary>
    public static ConsoleProgress? StartIfInteractive() => Console.IsOutputRedirected ? null : new ConsoleProgress(Console.Out);

    /// <summary>What the program is doing now; the elapsed time since the start is added.</summary>
    public void Report(string status)
    {
        lock (_lock)
        {
            _status = status;
            DrawLocked();
        }
    }

    public void Dispose()
    {
        _timer.Dispose();
        lock (_lock)
        {
            EraseLocked();
            _status = string.Empty;
            Console.SetOut(_terminal);
        }
    }

    private void Redraw()
    {
        lock (_lock)
        {
            DrawLocked();
        }
    }

    private void DrawLocked()
    {
        // Never in the middle of a line the program is writing piece by piece.
        if (_status.Length == 0 || !_atLineStart)
        {
            return;
        }

        var elapsed = _clock.Elapsed;
        var line = string.Create(CultureInfo.InvariantCulture, $"[{(int)elapsed.TotalMinutes:00}:{elapsed.Seconds:00}] {_status}");
        // One row at most, or the next redraw would start on the row below; 0 columns is a terminal of unknown size.
        var columns = Console.WindowWidth;
        line = columns > 20 && line.Length >= columns ? line[..(columns - 1)] : line;
        _terminal.Write("\r" + line.PadRight(_drawnWidth));
        _terminal.Flush();
        _drawnWidth = line.Length;
    }

    private void EraseLocked()
    {
        if (_drawnWidth > 0)
        {
            _terminal.Write("\r" + new string(' ', _drawnWidth) + "\r");
            _drawnWidth = 0;
        }
    }

    private void WriteLocked(string text)
    {
        if (text.Length == 0)
        {
            return;
        }

        EraseLocked();
        _terminal.Write(text);
        _atLineStart = text[^1] == '\n';
        DrawLocked();
    }

    /// <summary>Console.Out while the progress line is shown.</summary>
    private sealed class Writer(ConsoleProgress progress) : TextWriter
    {
        public override Encoding Encoding => progress._terminal.Encoding;

        public override void Write(char value) => Write(value.ToString());

        public override void Write(string? value)
        {
            lock (progress._lock)
            {
                progress.WriteLocked(value ?? string.Empty);
            }
        }

        public override void Write(char[] buffer, int index, int count) => Write(new string(buffer, index, count));

        public override void WriteLine(string? value) => Write(value + NewLine);

        public override void Flush() => progress._terminal.Flush();
    }
}
