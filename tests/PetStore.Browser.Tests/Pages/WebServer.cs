using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Playwright;
using PetStore.Api;
using WsRest.Server;

namespace PetStore.Browser.Tests.Pages;

/// <summary>
/// Starts, once for every page test, the real PetStore API on Kestrel (127.0.0.1, a free port) and one
/// headless Chromium. Each test opens its own browser context (cookies, storage) and page.
/// </summary>
[SetUpFixture]
public sealed class WebServer
{
    private static WebApplication? s_app;
    private static IPlaywright? s_playwright;
    private static IBrowser? s_browser;

    /// <summary>The API's (and the page's) address, e.g. http://127.0.0.1:41234/.</summary>
    public static Uri BaseAddress { get; private set; } = null!;

    /// <summary>The WsRest endpoint, e.g. ws://127.0.0.1:41234/wsrest.</summary>
    public static Uri WsRestEndpoint { get; private set; } = null!;

    /// <summary>The server's live connections.</summary>
    public static WsRestConnectionRegistry Registry => Services.GetRequiredService<WsRestConnectionRegistry>();

    /// <summary>What became of the server's <c>GET /slow</c> requests.</summary>
    public static SlowRequestLog SlowRequests => Services.GetRequiredService<SlowRequestLog>();

    /// <summary>The browser every test opens its pages in.</summary>
    public static IBrowser Browser => s_browser ?? throw new InvalidOperationException("The browser is not started.");

    private static IServiceProvider Services => s_app?.Services ?? throw new InvalidOperationException("The server is not started.");

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        Chromium.EnsureInstalled();
        using var timeout = TestTimeout.Create();
        s_app = await PetStoreApp.StartAsync(
            "http://127.0.0.1:0",
            builder => builder.Logging.SetMinimumLevel(LogLevel.Warning),
            timeout.Token);
        BaseAddress = PetStoreApp.GetBaseAddress(s_app);
        WsRestEndpoint = PetStoreApp.GetWsRestEndpoint(BaseAddress);

        s_playwright = await Playwright.CreateAsync();
        s_browser = await Chromium.LaunchAsync(s_playwright);
        Assertions.SetDefaultExpectTimeout(TestTimeout.Milliseconds);
    }

    [OneTimeTearDown]
    public async Task StopAsync()
    {
        if (s_browser is { } browser)
        {
            await browser.CloseAsync();
            s_browser = null;
        }

        s_playwright?.Dispose();
        s_playwright = null;
        if (s_app is { } app)
        {
            using var timeout = TestTimeout.Create();
            await app.StopAsync(timeout.Token);
            await app.DisposeAsync();
            s_app = null;
        }
    }
}
