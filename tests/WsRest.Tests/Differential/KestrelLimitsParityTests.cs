using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using WsRest.Client;
using WsRest.Tests.Infrastructure;

namespace WsRest.Tests.Differential;

/// <summary>
/// Kestrel's head limits (<c>MaxRequestLineSize</c>, <c>MaxRequestHeadersTotalSize</c>,
/// <c>MaxRequestHeaderCount</c>) give the same answer over plain HTTP/1.1 and over WsRest, to the byte
/// at each boundary, and the app never runs for a request over them (issue 13 §3). A head over the
/// protocol's own limit (64 KiB) is answered 414/431 on its stream too, not reset, and the
/// connection goes on.
/// </summary>
[TestFixture(WsRestEncoding.Binary)]
[TestFixture(WsRestEncoding.Json)]
[System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1001", Justification = "NUnit fixture: OneTimeTearDown disposes the clients and hosts.")]
public sealed class KestrelLimitsParityTests(WsRestEncoding encoding)
{
    private const int LineLimit = 1024;
    private const int HeadersLimit = 2048;
    private const int CountLimit = 20;

    // "GET " and " HTTP/1.1\r\n" around the target (Kestrel counts the whole line, CRLF included).
    private const int LineOverhead = 4 + 11;

    private readonly LevelCapturingLoggerProvider _log = new();
    private int _appRuns;
    private TestHost _small = null!;
    private TestHost _defaults = null!;
    private HttpClient _smallHttp = null!;
    private HttpClient _smallWsRest = null!;
    private HttpClient _defaultsHttp = null!;
    private HttpClient _defaultsWsRest = null!;

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        _small = await TestHost.StartAsync(
            encoding,
            Map,
            configureBuilder: builder =>
            {
                builder.WebHost.ConfigureKestrel(o =>
                {
                    o.Limits.MaxRequestLineSize = LineLimit;
                    o.Limits.MaxRequestHeadersTotalSize = HeadersLimit;
                    o.Limits.MaxRequestHeaderCount = CountLimit;
                });
                builder.Logging.AddProvider(_log);
                builder.Logging.SetMinimumLevel(LogLevel.Debug);
            });
        _defaults = await TestHost.StartAsync(encoding, Map);
        _smallHttp = _small.CreatePlainHttpClient();
        _smallWsRest = await _small.CreateWsRestHttpClientAsync();
        _defaultsHttp = _defaults.CreatePlainHttpClient();
        _defaultsWsRest = await _defaults.CreateWsRestHttpClientAsync();
    }

    [OneTimeTearDown]
    public async Task StopAsync()
    {
        _smallHttp?.Dispose();
        _smallWsRest?.Dispose();
        _defaultsHttp?.Dispose();
        _defaultsWsRest?.Dispose();
        if (_small is not null)
        {
            await _small.DisposeAsync();
        }

        if (_defaults is not null)
        {
            await _defaults.DisposeAsync();
        }
    }

    [TestCase(0, HttpStatusCode.OK)]
    [TestCase(1, HttpStatusCode.RequestUriTooLong)]
    public async Task ARequestLineAtAndPastMaxRequestLineSize(int over, HttpStatusCode expected)
    {
        // "/run?q=" and a query that brings the line to the limit (plus over).
        var target = "/run?q=" + new string('a', LineLimit - LineOverhead - "/run?q=".Length + over);

        await AssertSameAsync(_smallHttp, _smallWsRest, () => new HttpRequestMessage(HttpMethod.Get, target), expected);
    }

    [TestCase("HTTP", "line", "Request line too long.")]
    [TestCase("WsRest", "line", "Request line too long.")]
    [TestCase("HTTP", "count", "Request contains too many headers.")]
    [TestCase("WsRest", "count", "Request contains too many headers.")]
    public async Task ARefusalIsLoggedAtDebugWithKestrelsWords(string transport, string limit, string reason)
    {
        // Other tests here are refused too: only this one's entry may be found.
        _log.Forget(e => e.Message.Contains("bad request data", StringComparison.Ordinal));
        var marker = Guid.NewGuid().ToString("N");
        using var request = limit == "line"
            ? new HttpRequestMessage(HttpMethod.Get, $"/run?m={marker}&q=" + new string('a', LineLimit))
            : WithHeaders(Enumerable.Range(0, CountLimit).Select(i => ($"x-h{i}", marker)).ToArray());
        var logged = _log.WaitForAsync(e => e.Message.EndsWith($"bad request data: \"{reason}\"", StringComparison.Ordinal));

        using var response = await (transport == "HTTP" ? _smallHttp : _smallWsRest).SendAsync(request);

        Assert.That((int)response.StatusCode, Is.EqualTo(limit == "line" ? 414 : 431));
        var entry = await logged.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.That(entry.Level, Is.EqualTo(LogLevel.Debug));
        Assert.That(entry.Category, Does.StartWith(transport == "HTTP" ? "Microsoft.AspNetCore.Server.Kestrel" : "WsRest.Server"));
        Assert.That(entry.Message, Does.Match("^Connection id \"[^\"]+\" bad request data: "));
        Assert.That(_log.Entries.Where(e => e.Level >= LogLevel.Warning), Is.Empty, "a refused request is not the server's problem");
        _log.Forget(e => e == entry);
    }

    [TestCase(0, HttpStatusCode.OK)]
    [TestCase(1, HttpStatusCode.RequestHeaderFieldsTooLarge)]
    public async Task HeadersAtAndPastMaxRequestHeadersTotalSize(int over, HttpStatusCode expected)
    {
        // Host: 127.0.0.1:port\r\n is on both (over WsRest, the upgrade's Host); one header fills the rest.
        var host = $"Host: {_small.HttpAddress.Authority}\r\n".Length;
        var value = new string('v', HeadersLimit - host - "x-fill: \r\n".Length + over);

        await AssertSameAsync(_smallHttp, _smallWsRest, () => WithHeaders(("x-fill", value)), expected);
    }

    [TestCase(0, HttpStatusCode.OK)]
    [TestCase(1, HttpStatusCode.RequestHeaderFieldsTooLarge)]
    public async Task HeadersAtAndPastMaxRequestHeaderCount(int over, HttpStatusCode expected)
    {
        // The Host header counts, as on HTTP/1.1.
        var headers = Enumerable.Range(0, CountLimit - 1 + over).Select(i => ($"x-h{i}", "v")).ToArray();

        await AssertSameAsync(_smallHttp, _smallWsRest, () => WithHeaders(headers), expected);
    }

    [Test]
    public async Task AHeaderOverTheProtocolLimitGets431NotAReset()
    {
        // 70 KB: over Kestrel's default 32 KiB and over WsRest's own 64 KiB MaxHeaderListSize, which
        // the decoder enforces; the stream is answered like any other request over a limit.
        var big = new string('b', 70_000);

        await AssertSameAsync(_defaultsHttp, _defaultsWsRest, () => WithHeaders(("x-big", big)), HttpStatusCode.RequestHeaderFieldsTooLarge);
    }

    [Test]
    public async Task ATargetOverTheProtocolLimitGets414NotAReset()
    {
        var target = "/run?q=" + new string('t', 70_000);

        await AssertSameAsync(_defaultsHttp, _defaultsWsRest, () => new HttpRequestMessage(HttpMethod.Get, target), HttpStatusCode.RequestUriTooLong);
    }

    [Test]
    public async Task AnOversizeHeadWithABodyIsAnsweredAndTheConnectionGoesOn()
    {
        // A body behind the refused head: the stream is answered, the body stopped, other streams unaffected.
        var runs = Volatile.Read(ref _appRuns);
        var slow = _defaultsWsRest.GetAsync("/run?slow=1");
        using var request = new HttpRequestMessage(HttpMethod.Post, "/run") { Content = new ByteArrayContent(new byte[200_000]) };
        request.Headers.TryAddWithoutValidation("x-big", new string('b', 70_000));

        using var response = await _defaultsWsRest.SendAsync(request);

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.RequestHeaderFieldsTooLarge));
        using var other = await slow.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.That(other.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(await _defaultsWsRest.GetStringAsync("/run"), Is.EqualTo("ran"));
        Assert.That(Volatile.Read(ref _appRuns), Is.EqualTo(runs + 2), "only the two requests within the limits ran");
    }

    private static HttpRequestMessage WithHeaders(params (string Name, string Value)[] headers)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, "/run");
        foreach (var (name, value) in headers)
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }

        return request;
    }

    private void Map(WebApplication app) => app.MapMethods("/run", [HttpMethods.Get, HttpMethods.Post], async (HttpContext context) =>
    {
        Interlocked.Increment(ref _appRuns);
        if (context.Request.Query.ContainsKey("slow"))
        {
            await Task.Delay(200, context.RequestAborted);
        }

        return "ran";
    });

    private async Task AssertSameAsync(HttpClient http, HttpClient wsRest, Func<HttpRequestMessage> create, HttpStatusCode expected)
    {
        var runs = Volatile.Read(ref _appRuns);
        using var httpRequest = create();
        using var wsRestRequest = create();

        var httpResponse = await ResponseSnapshot.CaptureAsync(http, httpRequest, "HTTP");
        var wsRestResponse = await ResponseSnapshot.CaptureAsync(wsRest, wsRestRequest, "WsRest");

        TestContext.Out.WriteLine($"--- {httpResponse}\n--- {wsRestResponse}");
        Assert.That(httpResponse.Status, Is.EqualTo(expected), "plain HTTP (the case itself)");
        DifferentialAssert.Same(httpResponse, wsRestResponse);
        var ran = expected == HttpStatusCode.OK ? 2 : 0;
        Assert.That(Volatile.Read(ref _appRuns), Is.EqualTo(runs + ran), "the app runs only for a request within the limits");
    }
}
