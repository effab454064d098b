using Microsoft.Playwright;

namespace PetStore.Browser.Tests.Pages;

/// <summary>
/// Debian's chromium, driven by Playwright (whose own browser downloads are never used). A missing
/// binary fails the tests with the command that installs it: browser tests are never skipped silently.
/// </summary>
internal static class Chromium
{
    /// <summary>Where scripts/chromium.sh installs it; <c>CHROMIUM_PATH</c> points elsewhere.</summary>
    public static string ExecutablePath { get; } = Environment.GetEnvironmentVariable("CHROMIUM_PATH") is { Length: > 0 } path ? path : "/usr/bin/chromium";

    private static readonly string[] s_arguments =
    [
        "--headless",
        "--no-sandbox", // CI runs as root, where chromium's sandbox refuses to start
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
    ];

    /// <summary>Fails the calling setup when the binary is missing.</summary>
    public static void EnsureInstalled()
    {
        if (!File.Exists(ExecutablePath))
        {
            Assert.Fail($"Chromium is not installed at {ExecutablePath}, so the PetStore page cannot be tested. Install it with `bash scripts/chromium.sh` (as root), or set CHROMIUM_PATH.");
        }
    }

    public static Task<IBrowser> LaunchAsync(IPlaywright playwright)
    {
        EnsureInstalled();
        return playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ExecutablePath,
            Headless = true,
            Args = s_arguments,
            Timeout = TestTimeout.Milliseconds,
        });
    }
}
