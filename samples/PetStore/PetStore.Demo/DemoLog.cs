using System.Diagnostics;
using System.Globalization;

namespace PetStore.Demo;

/// <summary>Numbers, times and prints the steps of the demo; turns an unexpected failure into <see cref="DemoFailedException"/>.</summary>
/// <param name="output">Where the transcript goes.</param>
/// <param name="stepPrefix">Printed before each step number (<c>[K1]</c>), to tell the parts of the demo apart.</param>
internal sealed class DemoLog(TextWriter output, string stepPrefix = "")
{
    private int _step;

    /// <summary>How many steps ran to completion.</summary>
    public int CompletedSteps { get; private set; }

    /// <summary>Writes a line that is not a step.</summary>
    public void Info(string line) => output.WriteLine(line);

    /// <summary>Writes an indented detail line under the current step.</summary>
    public void Detail(string line) => output.WriteLine("      " + line);

    /// <summary>Runs one step: prints its title, the one-line outcome <paramref name="action"/> returns, and how long it took.</summary>
    public Task<T> StepAsync<T>(string title, Func<Task<(T Result, string Outcome)>> action)
        => RunStepAsync(title, action, announce: false);

    /// <summary>
    /// Runs one step whose title is printed before it starts (<c>[P2] title ...</c>) and whose outcome gets a
    /// line of its own (<c>[P2] -> outcome (time)</c>), so that what is printed while it runs (events, as
    /// they arrive) shows between the two.
    /// </summary>
    public Task<T> AnnouncedStepAsync<T>(string title, Func<Task<(T Result, string Outcome)>> action)
        => RunStepAsync(title, action, announce: true);

    private async Task<T> RunStepAsync<T>(string title, Func<Task<(T Result, string Outcome)>> action, bool announce)
    {
        var number = ++_step;
        var label = $"[{stepPrefix}{number}]";
        var heading = announce ? label : $"{label} {title}";
        if (announce)
        {
            output.WriteLine($"{label} {title} ...");
        }

        var start = Stopwatch.GetTimestamp();
        (T Result, string Outcome) done;
        try
        {
            done = await action().ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            output.WriteLine($"{heading} -> FAILED: {ex.GetType().Name}: {ex.Message}");
            throw new DemoFailedException($"Step {stepPrefix}{number} ({title}) failed: {ex.Message}", ex);
        }

        output.WriteLine($"{heading} -> {done.Outcome} ({FormatMs(Stopwatch.GetElapsedTime(start))})");
        CompletedSteps++;
        return done.Result;
    }

    /// <summary>Formats a duration as milliseconds with one decimal, culture-invariant.</summary>
    public static string FormatMs(TimeSpan elapsed)
        => elapsed.TotalMilliseconds.ToString("0.0", CultureInfo.InvariantCulture) + " ms";
}
