using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace WsRest.Client.Tests.Infrastructure;

/// <summary>A generic host (<see cref="Host.CreateApplicationBuilder()"/>) for DI tests, disposed asynchronously as an app's host is.</summary>
public sealed class TestHost : IAsyncDisposable
{
    private readonly IHost _host;

    private TestHost(IHost host) => _host = host;

    public IServiceProvider Services => _host.Services;

    /// <summary>A builder without the default sources (no appsettings files, environment or console logging), plus <paramref name="configuration"/>.</summary>
    public static HostApplicationBuilder CreateBuilder(IDictionary<string, string?>? configuration = null)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        if (configuration is not null)
        {
            builder.Configuration.AddInMemoryCollection(configuration);
        }

        return builder;
    }

    /// <summary>Builds the host and starts it (which runs <c>ValidateOnStart</c>).</summary>
    public static async Task<TestHost> StartAsync(HostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var host = new TestHost(builder.Build());
        try
        {
            using var timeout = TestTimeout.Create();
            await host._host.StartAsync(timeout.Token);
            return host;
        }
        catch
        {
            await host.DisposeAsync();
            throw;
        }
    }

    public T Get<T>()
        where T : notnull
        => _host.Services.GetRequiredService<T>();

    public async ValueTask DisposeAsync()
    {
        using var timeout = TestTimeout.Create();
        try
        {
            await _host.StopAsync(timeout.Token);
        }
        finally
        {
            await ((IAsyncDisposable)_host).DisposeAsync();
        }
    }
}
