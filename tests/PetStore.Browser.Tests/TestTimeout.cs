namespace PetStore.Browser.Tests;

/// <summary>A generous upper bound for anything a test waits on (page conditions, server events); it fails the test instead of hanging it.</summary>
internal static class TestTimeout
{
    public static readonly TimeSpan Value = TimeSpan.FromSeconds(60);

    public static float Milliseconds => (float)Value.TotalMilliseconds;

    public static CancellationTokenSource Create() => new(Value);

    /// <summary>Awaits <paramref name="task"/> or fails with <paramref name="what"/> after <see cref="Value"/>.</summary>
    public static async Task<T> WaitAsync<T>(Task<T> task, string what)
    {
        try
        {
            return await task.WaitAsync(Value);
        }
        catch (TimeoutException)
        {
            Assert.Fail($"Timed out after {Value.TotalSeconds:0} s waiting for {what}.");
            throw;
        }
    }
}
