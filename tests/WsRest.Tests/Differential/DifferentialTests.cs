using System.Text;
using WsRest.Client;
using WsRest.Tests.Infrastructure;

namespace WsRest.Tests.Differential;

/// <summary>
/// Differential tests: each case sends the same request to the same app over plain HTTP/1.1 and over
/// WsRest, and the two responses must be the same — status code, every response and
/// content header except the transport ones, and the body byte for byte.
/// <para>
/// Ignored response headers (<see cref="ResponseSnapshot.TransportResponseHeaders"/>): Date and Server
/// (stamped by the server on each response, not by the app; Date changes every second, and both
/// transports stamp it: <see cref="DateHeaderParityTests"/>; only Kestrel's HTTP/1.1 writer adds Server),
/// Transfer-Encoding, Connection and Keep-Alive (hop-by-hop framing of the HTTP/1.1 connection; a WsRest
/// stream is framed by its END flag), and Content-Length only when the HTTP/1.1 response was chunked
/// (then each side's Content-Length, if present, must equal its own body length). Header names compare
/// case-insensitively (RFC 9110 §5.1). In problem details bodies the per-request <c>traceId</c> value
/// has its hex digits masked. The echo endpoints leave out the request's Transfer-Encoding, Connection
/// and Keep-Alive for the same reason. The reason phrase is not compared (HTTP/1.1 status line only;
/// see <see cref="DifferentialAssert.Same"/>).
/// </para>
/// <para>
/// The plain client turns off cookies and redirects: <see cref="Client.WebSocketMessageHandler"/> is a
/// primary handler without a cookie container or redirect logic, so the comparison is between the two
/// raw transports, not between handler features.
/// </para>
/// <para>
/// The fixture runs once per encoding: the JSON encoding (docs/protocol.md §13) must give the same
/// responses as the binary one, since it is the same frames in other bytes.
/// </para>
/// </summary>
[TestFixture(WsRestEncoding.Binary)]
[TestFixture(WsRestEncoding.Json)]
[System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1001", Justification = "NUnit fixture: the clients and host live from OneTimeSetUp to OneTimeTearDown, which disposes them.")]
public sealed class DifferentialTests(WsRestEncoding encoding)
{
    private TestHost _host = null!;
    private HttpClient _http = null!;
    private HttpClient _wsRest = null!;

    [OneTimeSetUp]
    public async Task StartHostAsync()
    {
        _host = await TestHost.StartAsync(DifferentialApp.Map, configureBuilder: DifferentialApp.ConfigureBuilder);
        _http = new HttpClient(new SocketsHttpHandler
        {
            UseCookies = false,
            AllowAutoRedirect = false,
            AutomaticDecompression = System.Net.DecompressionMethods.None,
        })
        {
            BaseAddress = _host.HttpAddress,
            Timeout = TimeSpan.FromSeconds(60),
        };
        _wsRest = await _host.CreateWsRestHttpClientAsync(o => o.Encoding = encoding);
    }

    [OneTimeTearDown]
    public async Task StopHostAsync()
    {
        _wsRest?.Dispose();
        _http?.Dispose();
        if (_host is not null)
        {
            await _host.DisposeAsync();
        }
    }

    [TestCaseSource(typeof(DifferentialCases), nameof(DifferentialCases.TestCases))]
    public async Task SameResponseOverHttpAndWsRest(DifferentialCase testCase)
    {
        ArgumentNullException.ThrowIfNull(testCase);
        using var httpRequest = testCase.CreateRequest(_host.HttpAddress);
        using var wsRestRequest = testCase.CreateRequest(_host.HttpAddress);

        var http = await ResponseSnapshot.CaptureAsync(_http, httpRequest, "HTTP");
        var wsRest = await ResponseSnapshot.CaptureAsync(_wsRest, wsRestRequest, "WsRest");

        TestContext.Out.WriteLine($"--- {http}\n--- {wsRest}");
        Assert.That(http.Status, Is.EqualTo(testCase.ExpectedStatus), "the plain HTTP response (sanity check of the case itself)");
        testCase.CheckHttp?.Invoke(http);
        DifferentialAssert.Same(http, wsRest);
    }

    [Test]
    public async Task StreamedResponseArrivesChunkByChunkOnBothTransports()
    {
        // The endpoint writes "first", flushes, and waits for the test to open a gate before it writes
        // "second": a transport that buffered the response would never deliver "first" and time out.
        var http = await ReadGatedAsync(_http, "HTTP");
        var wsRest = await ReadGatedAsync(_wsRest, "WsRest");

        Assert.That(http.Text, Is.EqualTo("first\nsecond\n"));
        DifferentialAssert.Same(http, wsRest);
    }

    [Test]
    public async Task ExceptionAfterTheResponseStartedFailsTheBodyOnBothTransports()
    {
        // After the first flush a 500 is impossible: Kestrel aborts the response, WsRest resets the
        // stream. Either way the caller must see a failed body, never a silently truncated success.
        var http = await ReadUntilFailureAsync(_http);
        var wsRest = await ReadUntilFailureAsync(_wsRest);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(http.Status, Is.EqualTo(System.Net.HttpStatusCode.OK));
            Assert.That(wsRest.Status, Is.EqualTo(http.Status));
            Assert.That(http.Error, Is.InstanceOf<IOException>().Or.InstanceOf<HttpRequestException>(), "HTTP body read");
            Assert.That(wsRest.Error, Is.InstanceOf<IOException>().Or.InstanceOf<HttpRequestException>(), "WsRest body read");
        }
    }

    [Test]
    public async Task AllCasesConcurrentlyOverOneConnectionMatchTheSequentialResponses()
    {
        // Multiplexing must not change any response: every case at once over the one WsRest connection
        // gives what the same case gives alone. (Equality with plain HTTP is each case's own test; this
        // one isolates interleaving of streams, DATA frames and window updates.)
        var cases = DifferentialCases.All();
        var sequential = new List<ResponseSnapshot>(cases.Count);
        foreach (var testCase in cases)
        {
            using var request = testCase.CreateRequest(_host.HttpAddress);
            sequential.Add(await ResponseSnapshot.CaptureAsync(_wsRest, request, "WsRest alone"));
        }

        var concurrent = await Task.WhenAll(cases.Select(async testCase =>
        {
            using var request = testCase.CreateRequest(_host.HttpAddress);
            return await ResponseSnapshot.CaptureAsync(_wsRest, request, "WsRest concurrent");
        }));

        for (var i = 0; i < cases.Count; i++)
        {
            TestContext.Out.WriteLine($"case {cases[i].Name}");
            DifferentialAssert.Same(sequential[i], concurrent[i]);
        }
    }

    private static async Task<ResponseSnapshot> ReadGatedAsync(HttpClient client, string transport)
    {
        var gate = $"{transport}-{Guid.NewGuid():N}";
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri($"/min/gated/{gate}", UriKind.Relative));
        using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
        var body = await response.Content.ReadAsStreamAsync(timeout.Token);
        await using (body)
        {
            var received = new MemoryStream();
            var buffer = new byte[256];
            while (received.Length < "first\n".Length)
            {
                var read = await body.ReadAsync(buffer, timeout.Token);
                Assert.That(read, Is.GreaterThan(0), $"{transport}: the body ended before the first chunk");
                received.Write(buffer, 0, read);
            }

            Assert.That(Encoding.UTF8.GetString(received.ToArray()), Is.EqualTo("first\n"), $"{transport}: the first chunk, before the gate opened");
            DifferentialApp.OpenGate(gate);
            await body.CopyToAsync(received, timeout.Token);
            return ResponseSnapshot.FromResponse(response, received.ToArray(), transport);
        }
    }

    private static async Task<(System.Net.HttpStatusCode Status, Exception? Error)> ReadUntilFailureAsync(HttpClient client)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri("/min/throw-after-start", UriKind.Relative));
        using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
        try
        {
            await response.Content.ReadAsByteArrayAsync(timeout.Token);
            return (response.StatusCode, null);
        }
#pragma warning disable CA1031 // The test inspects whichever exception the transport raises.
        catch (Exception ex) when (!timeout.IsCancellationRequested)
#pragma warning restore CA1031
        {
            TestContext.Out.WriteLine($"{ex.GetType().FullName}: {ex.Message}");
            return (response.StatusCode, ex);
        }
    }
}
