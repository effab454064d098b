using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using WsRest.Tests.Infrastructure;

namespace WsRest.Tests.Fuzz;

/// <summary>
/// What the engine fuzzer found, each reproduced through the public API over a real socket. These fail until the
/// defect is fixed; <see cref="EngineFuzzTests"/> sets their signature aside so it keeps guarding everything else.
/// </summary>
[TestFixture]
public sealed class EngineFuzzFindingTests
{
    /// <summary>
    /// A request body the app never reads (an early 413, a 404, an endpoint that ignores the body) is never handed
    /// back to the shared array pool: the inline body's <c>CompleteBodyReader</c> array (WsRestStream.OnBody) and the
    /// body pipe's segments are returned only when someone completes the stream's <c>BodyReader</c>, and at the end
    /// of a request nobody does — <c>RequestDispatcher.HandleAsync</c> calls <c>stream.ReleaseBody()</c>, which
    /// returns the credit but not the buffers, and <c>DispatchContext.Reset</c> drops the body stream undisposed.
    /// The arrays are garbage-collected, so memory does not grow, but every such request costs the pool a buffer.
    /// </summary>
    [Test]
    public async Task ARequestBodyTheAppNeverReadsGoesBackToThePool()
    {
        await using var host = await TestHost.StartAsync(app => app.MapPost("/early", () => Results.StatusCode(StatusCodes.Status413PayloadTooLarge)));
        using var http = await host.CreateWsRestHttpClientAsync();
        // Once first: JIT, lazily created pools and the connection's own buffers are not what is measured.
        await PostAsync(http);

        using var buffers = new PooledBufferMonitor();
        for (var i = 0; i < 20; i++)
        {
            await PostAsync(http);
        }

        var returned = await EngineFuzzSession.Eventually(() => buffers.Outstanding == 0, TimeSpan.FromSeconds(10));
        Assert.That(returned, Is.True, $"{buffers.Outstanding} pooled buffers rented by 20 requests whose body the app did not read were never returned");
    }

    private static async Task PostAsync(HttpClient http)
    {
        using var response = await http.PostAsync("early", new ByteArrayContent(new byte[1000]));
        Assert.That((int)response.StatusCode, Is.EqualTo(StatusCodes.Status413PayloadTooLarge));
    }
}
