using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace WsRest.Tests.Fuzz;

/// <summary>
/// The app behind the server role's real <c>RequestDispatcher</c>: echo, a large answer, a slow one, an early
/// answer that leaves the body unread, and one that throws. It counts the requests it is running, which must
/// return to zero once a session's connection is gone.
/// </summary>
internal sealed class FuzzApplication : IHttpApplication<HttpContext>
{
    public static readonly string[] Paths = ["/echo", "/big", "/slow", "/early", "/throw", "/missing"];

    private int _running;

    public int Running => Volatile.Read(ref _running);

    public HttpContext CreateContext(IFeatureCollection contextFeatures) => new DefaultHttpContext(contextFeatures);

    public void DisposeContext(HttpContext context, Exception? exception)
    {
    }

    public async Task ProcessRequestAsync(HttpContext context)
    {
        Interlocked.Increment(ref _running);
        try
        {
            var aborted = context.RequestAborted;
            switch (context.Request.Path.Value)
            {
                case "/echo":
                    await context.Request.Body.CopyToAsync(context.Response.Body, aborted);
                    break;
                case "/big":
                    var chunk = new byte[8 * 1024];
                    for (var i = 0; i < 12; i++)
                    {
                        await context.Response.Body.WriteAsync(chunk, aborted);
                    }

                    break;
                case "/slow":
                    await Task.Delay(TimeSpan.FromMilliseconds(20), aborted);
                    await context.Response.WriteAsync("slow", aborted);
                    break;
                case "/early":
                    context.Response.StatusCode = StatusCodes.Status413PayloadTooLarge;
                    break;
                case "/throw":
                    throw new InvalidOperationException("the fuzz app fails on purpose");
                default:
                    context.Response.StatusCode = StatusCodes.Status404NotFound;
                    break;
            }
        }
        finally
        {
            Interlocked.Decrement(ref _running);
        }
    }
}

/// <summary>The client role's handler for the calls the fuzzer makes into it (reverse direction): echo, or fail.</summary>
internal sealed class FuzzMessageHandler : HttpMessageHandler
{
    private int _running;

    public int Running => Volatile.Read(ref _running);

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _running);
        try
        {
            if (request.RequestUri?.AbsolutePath == "/throw")
            {
                throw new InvalidOperationException("the fuzz handler fails on purpose");
            }

            var body = request.Content is null ? [] : await request.Content.ReadAsByteArrayAsync(cancellationToken);
            return new HttpResponseMessage(System.Net.HttpStatusCode.OK) { Content = new ByteArrayContent(body) };
        }
        finally
        {
            Interlocked.Decrement(ref _running);
        }
    }
}
