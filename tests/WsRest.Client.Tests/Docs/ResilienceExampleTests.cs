using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Snippets.Resilience;
using WsRest.Client.Tests.Infrastructure;
using WsRest.Server;

namespace WsRest.Client.Tests.Docs;

/// <summary>The retry handler of docs/resilience.md, against a server that drops the connection under the first call.</summary>
[TestFixture]
public sealed class ResilienceExampleTests
{
    [Test]
    public async Task AGetThatLosesItsConnectionIsRetriedOnTheNextOne()
    {
        using var timeout = TestTimeout.Create();
        var builder = WebApplication.CreateBuilder(["--urls=http://127.0.0.1:0", "--Logging:LogLevel:Default=Warning"]);
        builder.Services.AddWsRest();
        await using var server = builder.Build();
        var calls = 0;
        var connections = new List<string>();
        server.MapGet("/pets", (HttpContext context) =>
        {
            var connection = context.Features.Get<IWsRestConnectionFeature>()!.Connection;
            lock (connections)
            {
                connections.Add(connection.Id);
            }

            if (Interlocked.Increment(ref calls) == 1)
            {
                connection.Abort();   // the connection dies while the request is in flight
            }

            return "rex";
        });
        server.MapWsRest("/wsrest");
        await server.StartAsync(timeout.Token);
        await using var client = new WsRestClient(new WsRestClientOptions { Endpoint = new Uri($"ws://{new Uri(server.Urls.First()).Authority}/wsrest") });

        var pets = await ResilienceSnippets.RetryAsync(client).WaitAsync(timeout.Token);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(pets, Is.EqualTo("rex"));
            Assert.That(connections, Has.Count.EqualTo(2), "the first attempt and one retry");
            Assert.That(connections.Distinct().Count(), Is.EqualTo(2), "the retry went out on a new connection");
        }
    }
}
