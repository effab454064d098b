namespace WsRest.Client.Tests.Infrastructure;

/// <summary>A generous upper bound for anything a test waits on; it fails the test instead of hanging it.</summary>
internal static class TestTimeout
{
    public static readonly TimeSpan Value = TimeSpan.FromSeconds(60);

    public static CancellationTokenSource Create() => new(Value);
}
