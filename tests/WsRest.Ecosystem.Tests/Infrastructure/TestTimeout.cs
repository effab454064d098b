namespace WsRest.Ecosystem.Tests.Infrastructure;

/// <summary>Generous bounds for awaiting an event: a test never sleeps, it waits for what it expects.</summary>
internal static class TestTimeout
{
    public static readonly TimeSpan Default = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Waits until <paramref name="condition"/> holds, checking every 20 ms, for state another thread
    /// fills in at a time the test cannot observe otherwise (an exporter's list once a span ends).
    /// </summary>
    public static async Task UntilAsync(Func<bool> condition, string what)
    {
        using var timeout = new CancellationTokenSource(Default);
        while (!condition())
        {
            try
            {
                await Task.Delay(20, timeout.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                Assert.Fail($"Timed out after {Default.TotalSeconds} s waiting for {what}.");
            }
        }
    }
}
