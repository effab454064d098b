using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using WsRest.Tests.Infrastructure;

namespace WsRest.Tests.Transport;

/// <summary>
/// A connection reuses its request contexts (features, headers, HttpContext) between requests:
/// nothing one request set may be seen by the next, and each response header lands in the same
/// collection of <see cref="HttpResponseMessage"/> as over plain HTTP.
/// </summary>
public class RequestContextReuseTests
{
    // Items, custom feature, request header, response header: all absent; the status back to 200.
    private static readonly string[] FreshContext = ["False", "False", "False", "False", "200"];

    [Test]
    public async Task NothingARequestSetIsSeenByTheNextOnTheSameConnection()
    {
        await using var host = await TestHost.StartAsync(app =>
        {
            app.MapGet("/mark", (HttpContext context) =>
            {
                context.Items["mark"] = "first";
                context.Features.Set(new MarkFeature());
                context.Response.Headers["x-first"] = "1";
                context.Response.StatusCode = StatusCodes.Status202Accepted;
                return Results.Text(context.TraceIdentifier);
            });
            app.MapGet("/look", (HttpContext context) => Results.Text(string.Join('|',
                context.Items.ContainsKey("mark"),
                context.Features.Get<MarkFeature>() is not null,
                context.Request.Headers.ContainsKey("x-only-first"),
                context.Response.Headers.ContainsKey("x-first"),
                context.Response.StatusCode,
                context.TraceIdentifier)));
        });
        using var http = await host.CreateWsRestHttpClientAsync();

        // Sequential requests on one connection: each one after the first finds the context the previous one returned.
        for (var i = 0; i < 3; i++)
        {
            using var mark = new HttpRequestMessage(HttpMethod.Get, "/mark");
            mark.Headers.Add("x-only-first", "yes");
            using var marked = await http.SendAsync(mark);
            Assert.That(marked.StatusCode, Is.EqualTo(HttpStatusCode.Accepted));
            Assert.That(marked.Headers.Contains("x-first"), Is.True);
            var firstId = await marked.Content.ReadAsStringAsync();

            using var looked = await http.GetAsync("/look");
            var parts = (await looked.Content.ReadAsStringAsync()).Split('|');
            Assert.That(looked.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(looked.Headers.Contains("x-first"), Is.False);
            Assert.That(parts[..5], Is.EqualTo(FreshContext));
            Assert.That(parts[5], Is.Not.EqualTo(firstId), "each request has its own trace identifier");
        }

        Assert.That(host.Registry.Count, Is.EqualTo(1));
    }

    [Test]
    public async Task ResponseHeadersLandInTheSameCollectionsAsOverHttp()
    {
        await using var host = await TestHost.StartAsync(app =>
            app.MapGet("/headers", (HttpResponse response) =>
            {
                response.Headers.ContentSecurityPolicy = "default-src 'self'";
                response.Headers.ContentLanguage = "en";
                response.Headers.Expires = "Thu, 01 Jan 2099 00:00:00 GMT";
                response.Headers.LastModified = "Thu, 01 Jan 2026 00:00:00 GMT";
                response.Headers.Allow = "GET";
                response.Headers["Content-Custom"] = "x";
                return Results.Text("h", "text/plain");
            }));
        using var wsRest = await host.CreateWsRestHttpClientAsync();
        using var plain = host.CreatePlainHttpClient();

        using var overWsRest = await wsRest.GetAsync("/headers");
        using var overHttp = await plain.GetAsync("/headers");

        static string[] Names(System.Net.Http.Headers.HttpHeaders headers) =>
            [.. headers.NonValidated.Select(h => h.Key.ToLowerInvariant()).Where(n => n is not ("date" or "server" or "transfer-encoding")).Order()];

        Assert.That(Names(overWsRest.Headers), Is.EqualTo(Names(overHttp.Headers)));
        Assert.That(Names(overWsRest.Content.Headers), Is.EqualTo(Names(overHttp.Content.Headers)));
        Assert.That(Names(overWsRest.Headers), Does.Contain("content-security-policy").And.Contain("content-custom"));
        Assert.That(Names(overWsRest.Content.Headers), Does.Contain("content-language").And.Contain("expires").And.Contain("last-modified").And.Contain("allow"));
    }

    private sealed class MarkFeature;
}
