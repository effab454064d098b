using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace PetStore.Browser.Tests.Pages;

/// <summary>
/// Takes the screenshot of the page in the docs (docs/images/petstore-web.png): a kiosk connected,
/// pets changed by the page and by a .NET client, a cancelled slow request. Every run takes it and
/// attaches it to the test's results; <c>scripts/screenshot.sh</c> sets <c>PETSTORE_SCREENSHOT</c> to
/// the docs' path, so only that run replaces the committed image.
/// </summary>
[TestFixture]
public sealed class ScreenshotTests
{
    private static readonly byte[] s_pngSignature = [0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A];

    [Test]
    public async Task TheScreenshotShowsAPageInUse()
    {
        using var timeout = TestTimeout.Create();
        await using var page = await PetStorePage.OpenAsync(new ViewportSize { Width = 1280, Height = 820 });
        await using var kiosk = await TestKiosk.StartAsync(timeout.Token, "front-door");
        await using var other = await ApiClient.ConnectWsRestAsync(timeout.Token);

        await page.SubmitPetAsync("Bubbles", "available", "fish");
        await Expect(page.RowOf("Bubbles")).ToBeVisibleAsync();
        var parrot = await other.CreateAsync("Polly", "available", "parrot");
        await other.UpdateAsync(parrot, "pending");
        await Expect(page.RowOf("Polly")).ToContainTextAsync("pending");
        await Expect(page.Kiosks.Filter(new LocatorFilterOptions { HasText = kiosk.Name })).ToBeVisibleAsync();
        await page.Page.GetByTestId("slow-start").ClickAsync();
        await page.Page.GetByTestId("slow-cancel").ClickAsync();
        await Expect(page.SlowStatus).ToHaveTextAsync("cancelled");

        var path = Path.Combine(TestContext.CurrentContext.WorkDirectory, "petstore-web.png");
        var png = await page.Page.ScreenshotAsync(new PageScreenshotOptions { Path = path, FullPage = true });
        TestContext.AddTestAttachment(path, "The PetStore page");
        Assert.That(png.AsSpan(0, s_pngSignature.Length).SequenceEqual(s_pngSignature), Is.True, "a PNG image");
        Assert.That(page.ScriptErrors, Is.Empty, "the page's scripts threw");

        if (Environment.GetEnvironmentVariable("PETSTORE_SCREENSHOT") is { Length: > 0 } target)
        {
            Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(target))!);
            File.Copy(path, target, overwrite: true);
            TestContext.Progress.WriteLine($"Wrote the screenshot to {target}");
        }
    }
}
