using System.Globalization;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using WsRest.Client;
using WsRest.Tests.Infrastructure;

namespace WsRest.Tests.Differential;

/// <summary>
/// Tunneled responses carry <c>Date</c> as Kestrel's do (RFC 9110 §6.6.1; issue 13 §3): on every
/// response that Kestrel stamps, in the same form, the app's own value kept, taken from the server's
/// clock and formatted once a second.
/// </summary>
[TestFixture(WsRestEncoding.Binary)]
[TestFixture(WsRestEncoding.Json)]
[System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1001", Justification = "NUnit fixture: OneTimeTearDown disposes the host and its clients.")]
public sealed class DateHeaderParityTests(WsRestEncoding encoding)
{
    private const string OwnDate = "Tue, 15 Nov 1994 08:12:31 GMT";

    private TwoTransports _clients = null!;

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        var host = await TestHost.StartAsync(encoding, Map);
        _clients = await TwoTransports.ConnectAsync(host);
    }

    [OneTimeTearDown]
    public async Task StopAsync()
    {
        if (_clients is not null)
        {
            await _clients.DisposeAsync();
        }
    }

    [TestCase("/date/plain")]
    [TestCase("/date/streamed")]
    [TestCase("/date/removed")]
    [TestCase("/date/throws")]
    [TestCase("/date/no-such-endpoint")]
    public async Task EveryResponseCarriesTheServersDateOnBothTransports(string path)
    {
        var before = DateTimeOffset.UtcNow;
        var http = await DateOfAsync(_clients.Http, path);
        var wsRest = await DateOfAsync(_clients.WsRest, path);
        var after = DateTimeOffset.UtcNow;

        using (Assert.EnterMultipleScope())
        {
            Assert.That(http, Is.Not.Null, "HTTP/1.1 (Kestrel) stamps Date");
            Assert.That(wsRest, Is.Not.Null, "WsRest stamps Date");
            foreach (var value in new[] { http, wsRest })
            {
                // IMF-fixdate, to the second, of about the moment the response started (Kestrel's value is
                // refreshed by its once-a-second heartbeat, so it may lag a loaded machine's clock a little).
                var parsed = DateTimeOffset.ParseExact(value!, "r", CultureInfo.InvariantCulture);
                Assert.That(parsed, Is.InRange(before.AddSeconds(-5), after.AddSeconds(1)), value);
            }
        }
    }

    [Test]
    public async Task AnOversizeRequestAnsweredWithoutTheAppCarriesDateToo()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/date/plain?q=" + new string('q', 9000));
        using var response = await _clients.WsRest.SendAsync(request);

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.RequestUriTooLong));
        Assert.That(response.Headers.Date, Is.Not.Null);
    }

    [Test]
    public async Task TheAppsOwnDateIsKeptOnBothTransports()
    {
        Assert.That(await DateOfAsync(_clients.Http, "/date/own"), Is.EqualTo(OwnDate));
        Assert.That(await DateOfAsync(_clients.WsRest, "/date/own"), Is.EqualTo(OwnDate));
    }

    [Test]
    public async Task TheDateFollowsTheServersClockASecondAtATime()
    {
        var clock = new ManualClock();
        await using var host = await TestHost.StartAsync(encoding, Map, o => o.TimeProvider = clock);
        using var wsRest = await host.CreateWsRestHttpClientAsync();
        var start = clock.GetUtcNow();

        var first = await DateOfAsync(wsRest, "/date/plain");
        clock.Advance(TimeSpan.FromMilliseconds(999 - start.Millisecond));
        var sameSecond = await DateOfAsync(wsRest, "/date/plain");
        clock.Advance(TimeSpan.FromMilliseconds(1));
        var nextSecond = await DateOfAsync(wsRest, "/date/plain");

        using (Assert.EnterMultipleScope())
        {
            Assert.That(first, Is.EqualTo(start.ToString("r", CultureInfo.InvariantCulture)));
            Assert.That(sameSecond, Is.EqualTo(first));
            Assert.That(nextSecond, Is.EqualTo(start.AddSeconds(1).ToString("r", CultureInfo.InvariantCulture)));
        }
    }

    private static void Map(Microsoft.AspNetCore.Builder.WebApplication app)
    {
        app.MapGet("/date/plain", () => "plain");
        app.MapGet("/date/own", (HttpResponse response) =>
        {
            response.Headers.Date = OwnDate;
            return "own";
        });
        app.MapGet("/date/removed", (HttpResponse response) =>
        {
            // Kestrel adds Date when the response starts, after the app: removing it early changes nothing.
            response.Headers.Remove("Date");
            return "removed";
        });
        app.MapGet("/date/streamed", async (HttpResponse response) =>
        {
            await response.WriteAsync("first ", response.HttpContext.RequestAborted);
            await response.Body.FlushAsync(response.HttpContext.RequestAborted);
            await response.WriteAsync("second", response.HttpContext.RequestAborted);
        });
        app.MapGet("/date/throws", string () => throw new InvalidOperationException("a 500 carries Date too"));
    }

    private static async Task<string?> DateOfAsync(HttpClient client, string path)
    {
        using var response = await client.GetAsync(path);
        await response.Content.ReadAsByteArrayAsync();
        return response.Headers.TryGetValues("Date", out var values) ? string.Join("|", values) : null;
    }
}
