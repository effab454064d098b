using System.Net;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using WsRest.Client;
using WsRest.Server;
using WsRest.Tests.Infrastructure;

namespace WsRest.Tests.Reverse;

/// <summary>The server calls a connected client's API over the socket the client dialed.</summary>
[TestFixture(WsRestEncoding.Binary)]
[TestFixture(WsRestEncoding.Json)]
public class ReverseCallTests(WsRestEncoding encoding)
{
    private static readonly TimeSpan Generous = TimeSpan.FromSeconds(30);

    [Test]
    public async Task ServerCallsAPlainClientThatServesWithADelegate()
    {
        await using var host = await TestHost.StartAsync(encoding, _ => { });
        var client = await ConnectServingAsync(host, async (request, cancellationToken) =>
        {
            var body = request.Content is null ? string.Empty : await request.Content.ReadAsStringAsync(cancellationToken);
            var caller = request.Headers.TryGetValues("wsrest-caller", out var values) ? values.Single() : "?";
            return new HttpResponseMessage(HttpStatusCode.Accepted)
            {
                Content = new StringContent($"{request.Method} {request.RequestUri!.PathAndQuery} from {caller}: {body}"),
                Headers = { { "x-kiosk", "7" } },
            };
        });
        var connection = await RegisteredAsync(host, client);

        using var http = connection.CreateHttpClient();
        using var response = await http.PostAsync("/display?line=2", new StringContent("hello"));

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Accepted));
        Assert.That(await response.Content.ReadAsStringAsync(), Is.EqualTo("POST /display?line=2 from server: hello"));
        Assert.That(response.Headers.GetValues("x-kiosk").Single(), Is.EqualTo("7"));
    }

    [Test]
    public async Task ManyConcurrentCallsEachWayWithStreamedBodiesDoNotInterfere()
    {
        await using var host = await TestHost.StartAsync(encoding, app => app.MapPost("/echo", async (HttpContext context) =>
        {
            using var body = new MemoryStream();
            await context.Request.Body.CopyToAsync(body);
            await context.Response.Body.WriteAsync(body.ToArray());
        }));
        var client = await ConnectServingAsync(host, async (request, cancellationToken) =>
        {
            var body = await request.Content!.ReadAsByteArrayAsync(cancellationToken);
            return new HttpResponseMessage(HttpStatusCode.OK) { Content = new ByteArrayContent(body) };
        });
        var connection = await RegisteredAsync(host, client);
        using var toServer = new HttpClient(new WebSocketMessageHandler(client)) { BaseAddress = host.HttpAddress };
        using var toClient = connection.CreateHttpClient();

        // Bodies from empty to 256 KiB, so inline and multi-frame bodies cross in both directions at once.
        var payloads = Enumerable.Range(0, 60).Select(i => RandomNumberGenerator.GetBytes(i % 6 == 0 ? 256 * 1024 : i * 997)).ToArray();
        var calls = payloads.Select(async (payload, i) =>
        {
            var target = i % 2 == 0 ? toServer : toClient;
            using var response = await target.PostAsync("/echo", new ByteArrayContent(payload));
            return (i, Body: await response.Content.ReadAsByteArrayAsync());
        });
        var results = await Task.WhenAll(calls).WaitAsync(TimeSpan.FromSeconds(90));

        foreach (var (i, body) in results)
        {
            Assert.That(body, Is.EqualTo(payloads[i]), $"call {i} ({(i % 2 == 0 ? "client to server" : "server to client")})");
        }

        Assert.That(host.Registry.Count, Is.EqualTo(1), "one socket carried both directions");
    }

    [Test]
    public async Task ServerCancellationReachesTheClientsHandler()
    {
        await using var host = await TestHost.StartAsync(encoding, _ => { });
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var cancelled = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var client = await ConnectServingAsync(host, async (_, cancellationToken) =>
        {
            cancellationToken.Register(() => cancelled.TrySetResult());
            started.TrySetResult();
            await Task.Delay(Timeout.Infinite, cancellationToken);
            return new HttpResponseMessage(HttpStatusCode.OK);
        });
        var connection = await RegisteredAsync(host, client);
        using var http = connection.CreateHttpClient();
        using var cts = new CancellationTokenSource();

        var call = http.GetAsync("/wait", cts.Token);
        await started.Task.WaitAsync(Generous);
        await cts.CancelAsync();

        Assert.CatchAsync<TaskCanceledException>(() => call);
        await cancelled.Task.WaitAsync(Generous);
    }

    [Test]
    public async Task AClientHandlerThatFailsResetsOnlyThatCall()
    {
        await using var host = await TestHost.StartAsync(encoding, _ => { });
        var client = await ConnectServingAsync(host, (request, _) => request.RequestUri!.AbsolutePath == "/fail"
            ? throw new InvalidOperationException("kiosk broke")
            : Task.FromResult(new HttpResponseMessage(HttpStatusCode.OK) { Content = new StringContent("fine") }));
        var connection = await RegisteredAsync(host, client);
        using var http = connection.CreateHttpClient();

        var error = Assert.CatchAsync<HttpRequestException>(() => http.GetAsync("/fail"));
        Assert.That(error!.ToString(), Does.Contain("InternalError"));
        Assert.That(await http.GetStringAsync("/ok"), Is.EqualTo("fine"));
    }

    [Test]
    public async Task CallingAConnectionThatIsGoneFailsAtOnce()
    {
        await using var host = await TestHost.StartAsync(encoding, _ => { });
        var client = await ConnectServingAsync(host, (_, _) => Task.FromResult(new HttpResponseMessage(HttpStatusCode.OK)));
        var connection = await RegisteredAsync(host, client);
        using var http = connection.CreateHttpClient();
        await using var events = host.Registry.WatchAsync().GetAsyncEnumerator();

        await client.DisposeAsync();
        while (await events.MoveNextAsync().AsTask().WaitAsync(Generous) && events.Current.Kind == WsRestConnectionEventKind.Connected)
        {
        }

        var gone = Assert.CatchAsync<HttpRequestException>(() => http.GetAsync("/status").WaitAsync(Generous));
        Assert.That(gone!.HttpRequestError, Is.EqualTo(HttpRequestError.ConnectionError));
        Assert.That(gone.Message, Does.Contain(connection.Id));
        using var unknown = host.Registry.CreateHttpClient("0123456789abcdef0123456789abcdef");
        Assert.CatchAsync<HttpRequestException>(() => unknown.GetAsync("/status"));
    }

    [Test]
    public async Task AClientWithoutAHandlerRefusesServerCalls()
    {
        await using var host = await TestHost.StartAsync(encoding, _ => { });
        var client = await host.ConnectAsync();
        var connection = await RegisteredAsync(host, client);
        using var http = connection.CreateHttpClient();

        var error = Assert.CatchAsync<HttpRequestException>(() => http.GetAsync("/status"));

        Assert.That(error!.Message, Does.Contain("accepts no requests"));
    }

    [Test]
    public async Task TheReverseCallPolicyDecidesWhoMayCallWhichClient()
    {
        await using var host = await TestHost.StartAsync(encoding, _ => { }, o =>
            o.AuthorizeReverseCall = call => call.Caller == "operator" || call.Request.RequestUri!.AbsolutePath == "/status");
        var served = 0;
        var client = await ConnectServingAsync(host, (_, _) =>
        {
            Interlocked.Increment(ref served);
            return Task.FromResult(new HttpResponseMessage(HttpStatusCode.OK));
        });
        var connection = await RegisteredAsync(host, client);
        using var http = connection.CreateHttpClient();

        Assert.That((await http.GetAsync("/status")).StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.CatchAsync<UnauthorizedAccessException>(() => http.PostAsync("/reboot", null));
        using var asOperator = new HttpRequestMessage(HttpMethod.Post, "/reboot");
        asOperator.Options.Set(WsRestRequestOptions.Caller, "operator");
        Assert.That((await http.SendAsync(asOperator)).StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(served, Is.EqualTo(2), "the denied call never reached the client");
    }

    [Test]
    public async Task AFactoryClientPicksTheConnectionPerRequest()
    {
        await using var host = await TestHost.StartAsync(encoding, _ => { }, configureBuilder: builder =>
            builder.Services.AddHttpClient("clients", c => c.BaseAddress = new Uri("http://kiosk/")).AddWsRestReverseTransport());
        var first = await ConnectServingAsync(host, (_, _) => Task.FromResult(new HttpResponseMessage(HttpStatusCode.OK) { Content = new StringContent("first") }));
        var second = await ConnectServingAsync(host, (_, _) => Task.FromResult(new HttpResponseMessage(HttpStatusCode.OK) { Content = new StringContent("second") }));
        await RegisteredAsync(host, first);
        await RegisteredAsync(host, second);
        var http = host.App.Services.GetRequiredService<IHttpClientFactory>().CreateClient("clients");

        foreach (var (client, expected) in new[] { (first, "first"), (second, "second") })
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, "/who");
            request.Options.Set(WsRestRequestOptions.ConnectionId, client.ConnectionId!);
            using var response = await http.SendAsync(request);
            Assert.That(await response.Content.ReadAsStringAsync(), Is.EqualTo(expected));
        }
    }

    private static Task<WsRestClient> ConnectServingAsync(TestHost host, Func<HttpRequestMessage, CancellationToken, Task<HttpResponseMessage>> handler)
        => host.ConnectAsync(o => o.HandleRequests(handler));

    /// <summary>ConnectAsync returns once READY is sent; the server lists the connection once it has read it.</summary>
    internal static async Task<WsRestConnection> RegisteredAsync(TestHost host, WsRestClient client)
    {
        using var timeout = new CancellationTokenSource(Generous);
        WsRestConnection? connection;
        while (!host.Registry.TryGetConnection(client.ConnectionId!, out connection))
        {
            await Task.Delay(10, timeout.Token);
        }

        return connection;
    }

    [Test]
    public async Task HeadAndNoContentResponsesFromAPlainClientCarryNoBody()
    {
        await using var host = await TestHost.StartAsync(encoding, _ => { });
        var client = await ConnectServingAsync(host, (request, _) =>
        {
            var response = new HttpResponseMessage(request.Method == HttpMethod.Head ? HttpStatusCode.OK : HttpStatusCode.NoContent);
            if (request.Method == HttpMethod.Head)
            {
                response.Content = new ByteArrayContent([]);
                response.Content.Headers.ContentLength = 1234; // the size a GET would return
            }

            return Task.FromResult(response);
        });
        var connection = await RegisteredAsync(host, client);
        using var http = connection.CreateHttpClient();

        using var head = await http.SendAsync(new HttpRequestMessage(HttpMethod.Head, "/file"));
        using var none = await http.DeleteAsync("/file");

        Assert.That(head.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(head.Content.Headers.ContentLength, Is.EqualTo(1234));
        Assert.That(none.StatusCode, Is.EqualTo(HttpStatusCode.NoContent));
    }

    [Test]
    public async Task ACallerHeaderSmuggledInTheContentNeverReachesTheClient()
    {
        await using var host = await TestHost.StartAsync(encoding, _ => { }, o => o.ServerName = "petstore");
        var callers = new List<string>();
        var client = await ConnectServingAsync(host, (request, _) =>
        {
            callers.AddRange(request.Headers.TryGetValues("wsrest-caller", out var values) ? values : []);
            callers.AddRange(request.Content?.Headers.TryGetValues("wsrest-caller", out var more) == true ? more : []);
            return Task.FromResult(new HttpResponseMessage(HttpStatusCode.OK));
        });
        var connection = await RegisteredAsync(host, client);
        using var http = connection.CreateHttpClient();
        var content = new StringContent("x");
        content.Headers.TryAddWithoutValidation("wsrest-caller", "admin");

        using var response = await http.PostAsync("/relay", content);

        Assert.That(callers, Has.Count.EqualTo(1));
        Assert.That(callers[0], Is.EqualTo("petstore"));
    }
}
