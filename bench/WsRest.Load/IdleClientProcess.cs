using System.Diagnostics;
using System.Globalization;
using System.Reflection;

namespace WsRest.Load;

/// <summary>
/// The parent's handle on the <c>--idle-client</c> child (<see cref="IdleClient"/>): this same program
/// started again, one command per line on its stdin, one answer per line on its stdout. Its stderr
/// passes through, so the child's own problems stay visible.
/// </summary>
internal sealed class IdleClientProcess : IAsyncDisposable
{
    private static readonly TimeSpan s_answerTimeout = TimeSpan.FromMinutes(3);
    private readonly Process _process;

    private IdleClientProcess(Process process)
    {
        _process = process;
    }

    /// <param name="port">The bench server's HTTP/1.1 port.</param>
    /// <param name="allocationProfile">The child samples its allocations by type while opening (<c>--alloc-profile</c>) and prints them to stderr.</param>
    public static IdleClientProcess Start(int port, bool allocationProfile = false)
    {
        var path = Environment.ProcessPath ?? throw new InvalidOperationException("The path of this program is unknown: cannot start the idle client.");
        var start = new ProcessStartInfo(path)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = false,
            UseShellExecute = false,
        };

        // Started as "dotnet WsRest.Load.dll": the child needs the assembly path too.
        if (Path.GetFileNameWithoutExtension(path) == "dotnet")
        {
            start.ArgumentList.Add(Assembly.GetEntryAssembly()!.Location);
        }

        start.ArgumentList.Add("--idle-client");
        start.ArgumentList.Add(port.ToString(CultureInfo.InvariantCulture));
        if (allocationProfile)
        {
            start.ArgumentList.Add("--alloc-profile");
        }
        return new IdleClientProcess(Process.Start(start) ?? throw new InvalidOperationException($"Could not start {path}."));
    }

    /// <summary>Opens <paramref name="count"/> connections of <paramref name="kind"/> in the child.</summary>
    public async Task<(int Opened, int Failed, TimeSpan Elapsed, IdleCost ClientCost, string? FirstError)> OpenAsync(IdleKind kind, int count, int parallel)
    {
        var words = (await AskAsync($"open {kind} {count} {parallel}", "opened").ConfigureAwait(false)).Split(' ', 6);
        var error = words[5] == "-" ? null : words[5];
        var cost = new IdleCost(long.Parse(words[3], CultureInfo.InvariantCulture), TimeSpan.FromMilliseconds(double.Parse(words[4], CultureInfo.InvariantCulture)));
        return (int.Parse(words[0], CultureInfo.InvariantCulture), int.Parse(words[1], CultureInfo.InvariantCulture), TimeSpan.FromSeconds(double.Parse(words[2], CultureInfo.InvariantCulture)), cost, error);
    }

    /// <summary>How many of the child's connections are still open as far as the client side can tell.</summary>
    public async Task<int> CountAliveAsync()
        => int.Parse(await AskAsync("alive", "alive").ConfigureAwait(false), CultureInfo.InvariantCulture);

    public Task CloseAllAsync() => AskAsync("close", "closed");

    private async Task<string> AskAsync(string command, string answer)
    {
        await _process.StandardInput.WriteLineAsync(command).ConfigureAwait(false);
        await _process.StandardInput.FlushAsync().ConfigureAwait(false);
        var line = await _process.StandardOutput.ReadLineAsync().WaitAsync(s_answerTimeout).ConfigureAwait(false)
            ?? throw new InvalidOperationException($"The idle client exited (code {(_process.WaitForExit(5000) ? _process.ExitCode : -1)}) instead of answering '{command}'.");
        if (line != answer && !line.StartsWith(answer + " ", StringComparison.Ordinal))
        {
            throw new InvalidOperationException($"The idle client answered '{line}' to '{command}'.");
        }

        return line.Length == answer.Length ? string.Empty : line[(answer.Length + 1)..];
    }

    public async ValueTask DisposeAsync()
    {
        // End of stdin: the child closes what is still open and exits.
        _process.StandardInput.Close();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        try
        {
            await _process.WaitForExitAsync(timeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            Console.WriteLine($"!! the idle client (pid {_process.Id}) did not exit within 60 s of its stdin closing: killed");
            _process.Kill(entireProcessTree: true);
        }

        _process.Dispose();
    }
}
