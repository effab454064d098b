using System.Text.RegularExpressions;
using Microsoft.Playwright;
using PetStore.Api;
using static Microsoft.Playwright.Assertions;

namespace PetStore.Browser.Tests.Pages;

/// <summary>
/// The PetStore page in headless Chromium against the real API: everything a person does on it, and
/// what other clients and the server do to it. Waits are on page conditions (Playwright's expect,
/// 60 s), never fixed sleeps.
/// </summary>
[TestFixture]
public sealed partial class PetStorePageTests
{
    private PetStorePage? _page;

    private PetStorePage Page => _page ?? throw new InvalidOperationException("No page is open.");

    [SetUp]
    public async Task OpenPageAsync() => _page = await PetStorePage.OpenAsync();

    [TearDown]
    public async Task ClosePageAsync()
    {
        if (_page is { } page)
        {
            _page = null;
            var errors = page.ScriptErrors.ToArray();
            await page.DisposeAsync();
            Assert.That(errors, Is.Empty, "the page's scripts threw");
        }
    }

    [Test]
    public async Task ThePageConnectsOverWsRestAndListsThePets()
    {
        await Expect(Page.ConnectionId).ToHaveTextAsync(ConnectionIdPattern());
        await Expect(Page.RowOf("Rex")).ToBeVisibleAsync();

        var id = await Page.ConnectionId.TextContentAsync();
        Assert.That(WebServer.Registry.TryGetConnection(id!, out var connection), Is.True, "the id on the page is a live connection of the server");
        using (Assert.EnterMultipleScope())
        {
            Assert.That(connection!.Metadata.GetValueOrDefault("role"), Is.EqualTo("web"), "the page announces itself in HELLO's metadata");
            Assert.That(Page.HttpRequests, Has.None.Match("^GET /pets([?]|$)"), "the list came over the WebSocket, not over HTTP");
            Assert.That(Page.HttpRequests, Does.Contain("GET /lib/wsrest.browser.js"), "the API serves the client's bundle");
        }
    }

    [Test]
    public async Task APetCreatedThroughTheFormIsListedAndAnnounced()
    {
        var name = UniqueName("Form");
        await Page.SubmitPetAsync(name, "pending", "cat, small");

        var row = Page.RowOf(name);
        await Expect(row).ToContainTextAsync("pending");
        await Expect(row).ToContainTextAsync("cat, small");
        await Expect(Page.Events.Filter(new LocatorFilterOptions { HasText = $" {name} (pending) [cat, small]" })).ToHaveAttributeAsync("data-topic", "pets/created");

        await using var other = ApiClient.CreateHttp();
        var stored = (await other.ListAsync()).Single(p => p.Name == name);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(stored.Status, Is.EqualTo("pending"), "the server stored the form's status");
            Assert.That(string.Join(",", stored.Tags), Is.EqualTo("cat,small"), "the server stored the form's tags");
        }
    }

    [Test]
    public async Task AnInvalidPetShowsTheServersValidationProblem()
    {
        await Page.SubmitPetAsync("", "available", "");

        await Expect(Page.Page.GetByTestId("form-error")).ToContainTextAsync("The name is required.");
        await Expect(Page.Calls.First).ToHaveAttributeAsync("data-status", "400");
    }

    [Test]
    public async Task ChangesByADotNetClientShowUpLive()
    {
        using var timeout = TestTimeout.Create();
        await using var other = await ApiClient.ConnectWsRestAsync(timeout.Token);
        var name = UniqueName("DotNet");

        var pet = await other.CreateAsync(name, "available", "parrot");
        await Expect(Page.Events.Filter(new LocatorFilterOptions { HasText = $"#{pet.Id} {name} (available) [parrot]" })).ToHaveAttributeAsync("data-topic", "pets/created");
        await Expect(Page.RowOf(name)).ToContainTextAsync("available");

        await other.UpdateAsync(pet, "sold");
        await Expect(Page.Events.Filter(new LocatorFilterOptions { HasText = $"#{pet.Id} {name} (sold)" })).ToHaveAttributeAsync("data-topic", "pets/updated");
        await Expect(Page.RowOf(name)).ToContainTextAsync("sold");

        await other.DeleteAsync(pet.Id);
        await Expect(Page.Events.Filter(new LocatorFilterOptions { HasText = $"pets/deleted" }).Filter(new LocatorFilterOptions { HasText = $"pet #{pet.Id}" })).ToHaveCountAsync(1);
        await Expect(Page.RowOf(name)).ToHaveCountAsync(0);
    }

    [Test]
    public async Task EditAndDeleteFromThePage()
    {
        await using var other = ApiClient.CreateHttp();
        var name = UniqueName("Edit");
        var pet = await other.CreateAsync(name, "available", "dog");
        await Expect(Page.RowOf(name)).ToBeVisibleAsync();

        await Page.Page.GetByTestId($"edit-{pet.Id}").ClickAsync();
        await Expect(Page.Page.GetByTestId("pet-name")).ToHaveValueAsync(name);
        await Page.SubmitPetAsync(name + " Jr", "sold", "dog, old");
        await Expect(Page.RowOf(name + " Jr")).ToContainTextAsync("sold");
        Assert.That((await other.ListAsync()).Single(p => p.Id == pet.Id).Name, Is.EqualTo(name + " Jr"), "the edit reached the server");

        await Page.Page.GetByTestId($"delete-{pet.Id}").ClickAsync();
        await Expect(Page.RowOf(name + " Jr")).ToHaveCountAsync(0);
        Assert.That((await other.ListAsync()).Select(p => p.Id), Does.Not.Contain(pet.Id), "the delete reached the server");
    }

    [TestCase(false, TestName = "ASlowRequestCancelledOnThePageIsAbortedOnTheServer(WsRest)")]
    [TestCase(true, TestName = "ASlowRequestCancelledOnThePageIsAbortedOnTheServer(HTTP)")]
    public async Task ASlowRequestCancelledOnThePageIsAbortedOnTheServer(bool overHttp)
    {
        if (overHttp)
        {
            await Page.HttpSwitch.CheckAsync();
        }

        var log = WebServer.SlowRequests;
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var finished = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
        void OnStarted() => started.TrySetResult();
        void OnFinished(bool aborted) => finished.TrySetResult(aborted);
        log.Started += OnStarted;
        log.Finished += OnFinished;
        try
        {
            await Page.Page.GetByTestId("slow-start").ClickAsync();
            await TestTimeout.WaitAsync(started.Task.ContinueWith(_ => true, TaskScheduler.Default), "the server to start the slow request");
            await Expect(Page.SlowStatus).ToHaveTextAsync(new Regex("^waiting"));

            await Page.Page.GetByTestId("slow-cancel").ClickAsync();

            Assert.That(await TestTimeout.WaitAsync(finished.Task, "the server to end the slow request"), Is.True, "the server saw RequestAborted");
            await Expect(Page.SlowStatus).ToHaveTextAsync("cancelled");
            await Expect(Page.Calls.First).ToHaveAttributeAsync("data-status", "AbortError");
            await Expect(Page.Calls.First).ToHaveAttributeAsync("data-via", overHttp ? "HTTP" : "WsRest");
        }
        finally
        {
            log.Started -= OnStarted;
            log.Finished -= OnFinished;
        }
    }

    [Test]
    public async Task ThePageReconnectsAndResubscribesAfterTheServerResetsItsConnection()
    {
        var firstId = await Page.ConnectionId.TextContentAsync();
        Assert.That(WebServer.Registry.TryGetConnection(firstId!, out var first), Is.True, "the page's connection is registered");

        first!.Abort();

        await Expect(Page.ConnectionId).Not.ToHaveTextAsync(firstId!);
        await Expect(Page.ConnectionId).ToHaveTextAsync(ConnectionIdPattern());
        await Expect(Page.State).ToHaveTextAsync("connected");
        var secondId = await Page.ConnectionId.TextContentAsync();
        Assert.That(WebServer.Registry.TryGetConnection(secondId!, out var second), Is.True, "the new id is a live connection");
        Assert.That(second!.PreviousConnectionId, Is.EqualTo(firstId), "the page said which connection it replaces");

        await using var other = ApiClient.CreateHttp();
        var name = UniqueName("AfterReset");
        var pet = await other.CreateAsync(name, "available", "hamster");
        await Expect(Page.Events.Filter(new LocatorFilterOptions { HasText = $"#{pet.Id} {name}" })).ToHaveAttributeAsync("data-topic", "pets/created");
        await Expect(Page.RowOf(name)).ToBeVisibleAsync();
    }

    [Test]
    public async Task TheHttpSwitchGivesTheSameListOverPlainFetch()
    {
        await using var other = ApiClient.CreateHttp();
        await other.CreateAsync(UniqueName("Switch"), "pending", "rabbit");
        await Page.Page.GetByTestId("reload").ClickAsync();
        await Expect(Page.Calls.First).ToHaveAttributeAsync("data-via", "WsRest");
        var expectedCount = (await other.ListAsync()).Count;
        await Expect(Page.PetRows).ToHaveCountAsync(expectedCount);
        var overWsRest = await Page.PetRows.AllTextContentsAsync();
        Assert.That(Page.HttpRequests, Has.None.Match("^GET /pets([?]|$)"), "with the switch off, no HTTP request for /pets");

        var request = Page.Page.WaitForRequestAsync(new Regex("/pets$"));
        await Page.HttpSwitch.CheckAsync();
        Assert.That((await request).Method, Is.EqualTo("GET"), "with the switch on, the browser fetches /pets over HTTP");
        await Expect(Page.Calls.First).ToHaveAttributeAsync("data-via", "HTTP");
        await Expect(Page.Calls.First).ToHaveAttributeAsync("data-status", "200");

        await Expect(Page.PetRows).ToHaveTextAsync(overWsRest); // the same pets, whichever transport

        var name = UniqueName("OverHttp");
        await Page.SubmitPetAsync(name, "available", "snake");
        await Expect(Page.RowOf(name)).ToBeVisibleAsync();
        Assert.That(Page.HttpRequests, Does.Contain("POST /pets"), "the create went over HTTP");
        await Expect(Page.Events.Filter(new LocatorFilterOptions { HasText = $" {name} (available)" })).ToHaveAttributeAsync("data-topic", "pets/created");
    }

    [Test]
    public async Task KiosksAreListedWhileTheyAreConnected()
    {
        using var timeout = TestTimeout.Create();
        var kiosk = await TestKiosk.StartAsync(timeout.Token);
        await using (kiosk)
        {
            await Expect(Page.Kiosks.Filter(new LocatorFilterOptions { HasText = kiosk.Name })).ToHaveAttributeAsync("data-id", kiosk.Id);
            await Expect(Page.Events.Filter(new LocatorFilterOptions { HasText = kiosk.Name }).First).ToHaveAttributeAsync("data-topic", KioskEvents.Connected);
        }

        await Expect(Page.Kiosks.Filter(new LocatorFilterOptions { HasText = kiosk.Name })).ToHaveCountAsync(0);
        await Expect(Page.Events.Filter(new LocatorFilterOptions { HasText = kiosk.Name }).First).ToHaveAttributeAsync("data-topic", KioskEvents.Disconnected);
    }

    internal static string UniqueName(string prefix) => $"{prefix}-{Guid.NewGuid().ToString("N")[..6]}";

    [GeneratedRegex("^[0-9a-f]{32}$")]
    private static partial Regex ConnectionIdPattern();
}
