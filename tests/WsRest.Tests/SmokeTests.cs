using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using WsRest.Tests.Infrastructure;

namespace WsRest.Tests;

public class SmokeTests
{
    [Test]
    public async Task GetOverWsRestReturnsTheMinimalApiResponse()
    {
        await using var host = await TestHost.StartAsync(app => app.MapGet("/hello", (string? name) => $"hello {name}"));
        using var http = await host.CreateWsRestHttpClientAsync();

        using var response = await http.GetAsync("/hello?name=ws");

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(await response.Content.ReadAsStringAsync(), Is.EqualTo("hello ws"));
        Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("text/plain"));
    }
}
