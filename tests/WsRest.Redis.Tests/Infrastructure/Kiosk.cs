using System.Net;

namespace WsRest.Redis.Tests.Infrastructure;

/// <summary>What a connected client serves to reverse calls in these tests, and what it saw.</summary>
public sealed class Kiosk
{
    public const long BigLength = 16L * 1024 * 1024;

    public TaskCompletionSource WaitStarted { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public TaskCompletionSource WaitCancelled { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public PatternStream? LastBig { get; private set; }

    public async Task<HttpResponseMessage> HandleAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        switch (request.RequestUri!.AbsolutePath)
        {
            case "/big":
                LastBig = new PatternStream(BigLength);
                return new HttpResponseMessage(HttpStatusCode.OK) { Content = new StreamContent(LastBig) };
            case "/echo":
                var body = await request.Content!.ReadAsByteArrayAsync(cancellationToken);
                return new HttpResponseMessage(HttpStatusCode.Created) { Content = new ByteArrayContent(body), Headers = { { "x-length", body.Length.ToString(System.Globalization.CultureInfo.InvariantCulture) } } };
            case "/whoami":
                return new HttpResponseMessage(HttpStatusCode.OK) { Content = new StringContent(string.Join(",", request.Headers.GetValues("wsrest-caller"))) };
            case "/wait":
                WaitStarted.TrySetResult();
                try
                {
                    await Task.Delay(Timeout.Infinite, cancellationToken);
                }
                catch (OperationCanceledException)
                {
                    WaitCancelled.TrySetResult();
                    throw;
                }

                return new HttpResponseMessage(HttpStatusCode.NoContent);
            default:
                return new HttpResponseMessage(HttpStatusCode.NotFound);
        }
    }
}
