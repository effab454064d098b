namespace WsRest.Client.Tests.Infrastructure;

/// <summary>A fixture whose every test gets its own <see cref="ProbeServer"/>, started before and stopped after it.</summary>
public abstract class ProbeServerTests
{
    /// <summary>The current test's server.</summary>
    protected ProbeServer Probe { get; private set; } = null!;

    [SetUp]
    public async Task StartServerAsync() => Probe = await ProbeServer.StartAsync();

    [TearDown]
    public async Task StopServerAsync() => await Probe.DisposeAsync();
}
