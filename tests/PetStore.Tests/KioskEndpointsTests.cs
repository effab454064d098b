using System.Net;
using System.Net.Http.Json;
using PetStore.Api;
using PetStore.Kiosk;
using ApiKioskStatus = PetStore.Api.KioskStatus;

namespace PetStore.Tests;

/// <summary>
/// The <c>/kiosks</c> API over each transport: a kiosk started in-process dials the shared server, and
/// the test reaches the kiosk only through the server, which calls the kiosk over the kiosk's socket.
/// </summary>
[TestFixture(Transport.Http)]
[TestFixture(Transport.WsRest)]
public sealed class KioskEndpointsTests(Transport transport) : TransportFixture(transport)
{
    private const string UnknownId = "0123456789abcdef0123456789abcdef";

    [Test]
    public async Task AStartedKioskIsListedWithItsIdNameAndConnectionTime()
    {
        using var timeout = TestTimeout.Create();
        var before = DateTimeOffset.UtcNow;
        await using var kiosk = await TestKiosk.StartAsync(PetStoreServer.WsRestEndpoint, timeout.Token);

        var kiosks = await KioskListing.WaitUntilListedAsync(Http, kiosk, timeout.Token);

        var entry = kiosks.Single(k => k.Id == kiosk.Id);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(entry.Id, Does.Match("^[0-9a-f]{32}$"));
            Assert.That(entry.Name, Is.EqualTo(kiosk.Name));
            Assert.That(entry.ConnectedAt, Is.InRange(before, DateTimeOffset.UtcNow));
        }
    }

    [Test]
    public async Task TheStatusComesFromTheKioskWhichSeesTheServerAsTheCaller()
    {
        using var timeout = TestTimeout.Create();
        await using var kiosk = await StartListedKioskAsync(timeout.Token);

        using var response = await Http.GetAsync($"kiosks/{kiosk.Id}/status", timeout.Token);

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), await response.Content.ReadAsStringAsync(timeout.Token));
        Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/json"));
        var status = await response.Content.ReadFromJsonAsync(KioskJsonContext.Default.KioskStatus, timeout.Token);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(status!.Name, Is.EqualTo(kiosk.Name));
            Assert.That(status.Screen, Is.EqualTo(KioskApp.InitialScreen));
            Assert.That(status.ServedBy, Is.EqualTo(KioskEndpoints.ServerName));
            Assert.That(status.UptimeSeconds, Is.InRange(0, TestTimeout.Value.TotalSeconds));
        }
    }

    [Test]
    public async Task TheDisplayIsSetThroughTheServerAndReadBack()
    {
        using var timeout = TestTimeout.Create();
        await using var kiosk = await StartListedKioskAsync(timeout.Token);

        foreach (var text in new[] { "Rex is on sale — 20 % off! 🐶", new string('y', KioskApp.MaxDisplayLength) })
        {
            using var put = await PutDisplayAsync(kiosk.Id, text, timeout.Token);
            using (Assert.EnterMultipleScope())
            {
                Assert.That(put.StatusCode, Is.EqualTo(HttpStatusCode.NoContent), await put.Content.ReadAsStringAsync(timeout.Token));
                Assert.That(await put.Content.ReadAsByteArrayAsync(timeout.Token), Is.Empty);
            }

            var status = await GetStatusAsync(kiosk.Id, timeout.Token);
            Assert.That(status.Screen, Is.EqualTo(text), "GET after PUT shows the new text");
        }
    }

    [Test]
    public async Task TextTooLongForTheKioskIsItsValidationProblemAndChangesNothing()
    {
        using var timeout = TestTimeout.Create();
        await using var kiosk = await StartListedKioskAsync(timeout.Token);

        using var response = await PutDisplayAsync(kiosk.Id, new string('x', KioskApp.MaxDisplayLength + 1), timeout.Token);

        var problem = await Problems.ReadAsync(response, HttpStatusCode.BadRequest, timeout.Token);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(Problems.ErrorFields(problem), Is.EqualTo((string[])["text"]));
            Assert.That(problem.GetProperty("errors").GetProperty("text")[0].GetString(), Does.Contain(KioskApp.MaxDisplayLength.ToString(System.Globalization.CultureInfo.InvariantCulture)));
            Assert.That(problem.GetProperty("title").GetString(), Is.EqualTo("The kiosk cannot show this text."), "the kiosk's own problem is passed on");
        }

        Assert.That((await GetStatusAsync(kiosk.Id, timeout.Token)).Screen, Is.EqualTo(KioskApp.InitialScreen));
    }

    [Test]
    public async Task ABodyWithoutTextIsAValidationProblemAndChangesNothing()
    {
        using var timeout = TestTimeout.Create();
        await using var kiosk = await StartListedKioskAsync(timeout.Token);

        using var content = new StringContent("{}", System.Text.Encoding.UTF8, "application/json");
        using var response = await Http.PutAsync($"kiosks/{kiosk.Id}/display", content, timeout.Token);

        var problem = await Problems.ReadAsync(response, HttpStatusCode.BadRequest, timeout.Token);
        Assert.That(Problems.ErrorFields(problem), Is.EqualTo((string[])["text"]));
        Assert.That((await GetStatusAsync(kiosk.Id, timeout.Token)).Screen, Is.EqualTo(KioskApp.InitialScreen));
    }

    [Test]
    public async Task AKioskThatStoppedIsA404ProblemAtOnceAndLeavesTheList()
    {
        using var timeout = TestTimeout.Create();
        await using var kiosk = await StartListedKioskAsync(timeout.Token);

        await kiosk.StopAsync(timeout.Token);

        // No waiting: whether or not the server has dropped the connection yet, the call fails at once.
        using var status = await Http.GetAsync($"kiosks/{kiosk.Id}/status", timeout.Token);
        var problem = await Problems.ReadAsync(status, HttpStatusCode.NotFound, timeout.Token);
        using var display = await PutDisplayAsync(kiosk.Id, "too late", timeout.Token);
        await Problems.ReadAsync(display, HttpStatusCode.NotFound, timeout.Token);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(problem.GetProperty("title").GetString(), Is.EqualTo("Kiosk not found"));
            Assert.That(problem.GetProperty("detail").GetString(), Does.Contain(kiosk.Id));
        }

        await KioskListing.WaitUntilGoneAsync(Http, kiosk, timeout.Token);
    }

    [TestCase("GET")]
    [TestCase("PUT")]
    public async Task AnUnknownKioskIsA404Problem(string method)
    {
        using var timeout = TestTimeout.Create();

        using var response = method == "GET"
            ? await Http.GetAsync($"kiosks/{UnknownId}/status", timeout.Token)
            : await PutDisplayAsync(UnknownId, "hello", timeout.Token);

        var problem = await Problems.ReadAsync(response, HttpStatusCode.NotFound, timeout.Token);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(problem.GetProperty("title").GetString(), Is.EqualTo("Kiosk not found"));
            Assert.That(problem.GetProperty("detail").GetString(), Does.Contain(UnknownId));
        }
    }

    [Test]
    public async Task TheGeneratedClientListsReadsSetsAndSeesTheKioskGo()
    {
        using var timeout = TestTimeout.Create();
        var client = new Client.PetStoreClient(Http);
        await using var kiosk = await StartListedKioskAsync(timeout.Token);

        var listed = await client.ListKiosksAsync(timeout.Token);
        await client.SetKioskDisplayAsync(kiosk.Id, new Client.KioskDisplayInput { Text = "Generated" }, timeout.Token);
        var status = await client.GetKioskStatusAsync(kiosk.Id, timeout.Token);
        var tooLong = Assert.ThrowsAsync<Client.ApiException<Client.HttpValidationProblemDetails>>(
            () => client.SetKioskDisplayAsync(kiosk.Id, new Client.KioskDisplayInput { Text = new string('x', KioskApp.MaxDisplayLength + 1) }, timeout.Token));
        await kiosk.StopAsync(timeout.Token);
        var gone = Assert.ThrowsAsync<Client.ApiException<Client.ProblemDetails>>(() => client.GetKioskStatusAsync(kiosk.Id, timeout.Token));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(listed.Single(k => k.Id == kiosk.Id).Name, Is.EqualTo(kiosk.Name));
            Assert.That(status.Screen, Is.EqualTo("Generated"));
            Assert.That(status.ServedBy, Is.EqualTo(KioskEndpoints.ServerName));
            Assert.That(tooLong!.StatusCode, Is.EqualTo(400));
            Assert.That(tooLong.Result.Errors.Keys, Is.EqualTo((string[])["text"]));
            Assert.That(gone!.StatusCode, Is.EqualTo(404));
            Assert.That(gone.Result.Title, Is.EqualTo("Kiosk not found"));
        }
    }

    private async Task<TestKiosk> StartListedKioskAsync(CancellationToken cancellationToken)
    {
        var kiosk = await TestKiosk.StartAsync(PetStoreServer.WsRestEndpoint, cancellationToken);
        try
        {
            await KioskListing.WaitUntilListedAsync(Http, kiosk, cancellationToken);
            return kiosk;
        }
        catch
        {
            await kiosk.DisposeAsync();
            throw;
        }
    }

    private Task<HttpResponseMessage> PutDisplayAsync(string id, string text, CancellationToken cancellationToken)
        => Http.PutAsJsonAsync($"kiosks/{id}/display", new KioskDisplayInput { Text = text }, KioskJsonContext.Default.KioskDisplayInput, cancellationToken);

    private async Task<ApiKioskStatus> GetStatusAsync(string id, CancellationToken cancellationToken)
    {
        using var response = await Http.GetAsync($"kiosks/{id}/status", cancellationToken);
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), await response.Content.ReadAsStringAsync(cancellationToken));
        return (await response.Content.ReadFromJsonAsync(KioskJsonContext.Default.KioskStatus, cancellationToken))!;
    }
}
