using System.Collections.Concurrent;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace PetStore.Browser.Tests.Pages;

/// <summary>
/// The PetStore web page in its own browser context, seen through what a person sees: the locators
/// below are the page's <c>data-testid</c>s. Uncaught script errors are collected so tests can fail on
/// them; the browser's console goes to the test's output for diagnosis.
/// </summary>
internal sealed class PetStorePage : IAsyncDisposable
{
    private readonly IBrowserContext _context;
    private readonly ConcurrentQueue<string> _scriptErrors = new();
    private readonly ConcurrentQueue<string> _httpRequests = new();

    private PetStorePage(IBrowserContext context, IPage page)
    {
        _context = context;
        Page = page;
        page.SetDefaultTimeout(TestTimeout.Milliseconds);
        page.PageError += (_, error) => _scriptErrors.Enqueue(error);
        page.Console += (_, message) => TestContext.Progress.WriteLine($"[browser {message.Type}] {message.Text}");
        page.Request += (_, request) => _httpRequests.Enqueue($"{request.Method} {new Uri(request.Url).PathAndQuery}");
    }

    public IPage Page { get; }

    public ILocator State => Page.GetByTestId("state");

    public ILocator ConnectionId => Page.GetByTestId("connection-id");

    public ILocator PetRows => Page.GetByTestId("pet-row");

    public ILocator Events => Page.GetByTestId("events").Locator("li");

    public ILocator Kiosks => Page.GetByTestId("kiosk");

    public ILocator Calls => Page.GetByTestId("call");

    public ILocator HttpSwitch => Page.GetByTestId("use-http");

    public ILocator SlowStatus => Page.GetByTestId("slow-status");

    /// <summary>Uncaught errors in the page's scripts so far.</summary>
    public IReadOnlyCollection<string> ScriptErrors => _scriptErrors;

    /// <summary>Every HTTP request the browser made ("GET /pets"), WebSocket upgrades included; requests over WsRest are not among them.</summary>
    public IReadOnlyCollection<string> HttpRequests => _httpRequests;

    /// <summary>Opens the page and waits until it is connected, subscribed and has loaded pets and kiosks.</summary>
    public static async Task<PetStorePage> OpenAsync(ViewportSize? viewport = null)
    {
        var context = await WebServer.Browser.NewContextAsync(new BrowserNewContextOptions { ViewportSize = viewport ?? new ViewportSize { Width = 1280, Height = 900 } });
        var page = new PetStorePage(context, await context.NewPageAsync());
        await page.Page.GotoAsync(WebServer.BaseAddress.AbsoluteUri);
        await Expect(page.Page.Locator("body[data-ready=true]")).ToBeAttachedAsync();
        await Expect(page.State).ToHaveTextAsync("connected");
        return page;
    }

    /// <summary>The table row of the pet named <paramref name="name"/>.</summary>
    public ILocator RowOf(string name) => PetRows.Filter(new LocatorFilterOptions { Has = Page.GetByRole(AriaRole.Cell, new PageGetByRoleOptions { Name = name, Exact = true }) });

    /// <summary>Fills the pet form and submits it.</summary>
    public async Task SubmitPetAsync(string name, string status, string tags)
    {
        await Page.GetByTestId("pet-name").FillAsync(name);
        await Page.GetByTestId("pet-status").SelectOptionAsync(status);
        await Page.GetByTestId("pet-tags").FillAsync(tags);
        await Page.GetByTestId("save").ClickAsync();
    }

    public async ValueTask DisposeAsync() => await _context.CloseAsync();
}
