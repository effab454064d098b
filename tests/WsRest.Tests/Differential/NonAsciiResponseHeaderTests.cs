using System.Net;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using WsRest.Client;
using WsRest.Tests.Infrastructure;

namespace WsRest.Tests.Differential;

/// <summary>
/// A response header value with a character past U+007E or a control character is refused as Kestrel
/// refuses it ("Invalid non-ASCII or control character in header: 0x00EB", an
/// <see cref="InvalidOperationException"/> the app sees), so the caller gets the same 500 on both
/// transports; Kestrel's <c>ResponseHeaderEncodingSelector</c> lets the named headers through on both, and
/// a change after the response started throws on both.
/// </summary>
[TestFixture(WsRestEncoding.Binary)]
[TestFixture(WsRestEncoding.Json)]
[System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1001", Justification = "NUnit fixture: OneTimeTearDown disposes the hosts and their clients.")]
public sealed class NonAsciiResponseHeaderTests(WsRestEncoding encoding)
{
    private readonly System.Collections.Concurrent.ConcurrentQueue<string> _appErrors = new();
    private TwoTransports _strict = null!;
    private TwoTransports _selector = null!;

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        _strict = await TwoTransports.ConnectAsync(await TestHost.StartAsync(encoding, Map));
        _selector = await TwoTransports.ConnectAsync(await TestHost.StartAsync(
            encoding,
            Map,
            configureBuilder: builder => builder.WebHost.ConfigureKestrel(o =>
                o.ResponseHeaderEncodingSelector = name => name == "x-utf8" ? Encoding.UTF8 : null)));
    }

    [OneTimeTearDown]
    public async Task StopAsync()
    {
        if (_strict is not null)
        {
            await _strict.DisposeAsync();
        }

        if (_selector is not null)
        {
            await _selector.DisposeAsync();
        }
    }

    [TestCase("HTTP", "Zoë")]
    [TestCase("WsRest", "Zoë")]
    [TestCase("HTTP", "bell\u0007")]
    [TestCase("WsRest", "bell\u0007")]
    [TestCase("HTTP", "del\u007F")]
    [TestCase("WsRest", "del\u007F")]
    public async Task AnInvalidValueIsRefusedAsKestrelRefusesIt(string transport, string value)
    {
        var client = _strict[transport];
        _appErrors.Clear();

        using var response = await client.GetAsync($"/set?name=x-name&value={Uri.EscapeDataString(value)}");

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.InternalServerError));
        Assert.That(response.Headers.Contains("x-name"), Is.False);
        var invalid = value[^1];
        Assert.That(_appErrors, Is.EqualTo(new[] { $"InvalidOperationException: Invalid non-ASCII or control character in header: 0x{(int)invalid:X4}" }));
        Assert.That(await client.GetStringAsync("/set?name=x-name&value=plain"), Is.EqualTo("set"), "the connection goes on");
    }

    [TestCase("HTTP")]
    [TestCase("WsRest")]
    public async Task TheEncodingSelectorLetsItsHeadersThrough(string transport)
    {
        var client = _selector[transport];
        _appErrors.Clear();

        using var response = await client.GetAsync($"/set?name=x-utf8&value={Uri.EscapeDataString("Zoë")}");

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(_appErrors, Is.Empty);
        var bytes = response.Headers.NonValidated["x-utf8"].ToString();
        Assert.That(bytes, Is.EqualTo(transport == "HTTP" ? Encoding.Latin1.GetString(Encoding.UTF8.GetBytes("Zoë")) : "Zoë"));

        using var other = await client.GetAsync($"/set?name=x-other&value={Uri.EscapeDataString("Zoë")}");
        Assert.That(other.StatusCode, Is.EqualTo(HttpStatusCode.InternalServerError), "a header the selector does not name stays ASCII");
    }

    [TestCase("HTTP")]
    [TestCase("WsRest")]
    public async Task ChangingHeadersAfterTheResponseStartedThrowsAsKestrelDoes(string transport)
    {
        var body = await _strict[transport].GetStringAsync("/late");

        Assert.That(body, Is.EqualTo("started|set: Headers are read-only, response has already started.|remove: Headers are read-only, response has already started."));
    }

    private void Map(WebApplication app)
    {
        app.MapGet("/set", SetHeader);
        app.MapGet("/late", async (HttpContext context) =>
        {
            await context.Response.WriteAsync("started");
            await context.Response.WriteAsync("|set: " + Attempt(() => context.Response.Headers["x-late"] = "value"));
            await context.Response.WriteAsync("|remove: " + Attempt(() => context.Response.Headers.Remove("Date")));
        });
    }

    private static string Attempt(Action change)
    {
        try
        {
            change();
            return "allowed";
        }
        catch (InvalidOperationException error)
        {
            return error.Message;
        }
    }

    private string SetHeader(HttpContext context, string name, string value)
    {
        try
        {
            context.Response.Headers[name] = value;
        }
        catch (InvalidOperationException error)
        {
            _appErrors.Enqueue($"{nameof(InvalidOperationException)}: {error.Message}");
            throw;
        }

        return "set";
    }
}
