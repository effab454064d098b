using System.Globalization;
using System.Net;
using System.Security.Cryptography;

namespace WsRest.Soak;

/// <summary>One request loop of one connection: a weighted mix of GETs and non-idempotent POSTs, some cancelled on purpose.</summary>
internal sealed class RequestWorker(HttpClient http, RequestTally tally, Random random, string name)
{
    private const int LargeGetSize = 200 * 1024;
    private const int LargePostSize = 64 * 1024;
    private static readonly byte[] LargeGetBody = SoakApp.Blob(LargeGetSize);
    private long _posts;

    /// <summary>Issues requests until <paramref name="stop"/>; a request that was started always runs to its end.</summary>
    public async Task RunAsync(CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            var kind = Pick();
            // One request in ten is cancelled by the caller after up to 50 ms: CANCEL mid-flight, in every state.
            using var cancel = new CancellationTokenSource();
            if (random.Next(10) == 0)
            {
                cancel.CancelAfter(random.Next(50));
            }

            await IssueAsync(kind, cancel.Token).ConfigureAwait(false);
            if (tally.Count(RequestOutcome.TypedFailure) > 0 && random.Next(4) == 0)
            {
                // Callers back off a little after failures; without it a fast-failing client spins.
                await Task.Delay(random.Next(1, 20), CancellationToken.None).ConfigureAwait(false);
            }
        }
    }

    private RequestKind Pick() => random.Next(100) switch
    {
        < 30 => RequestKind.SmallGet,
        < 40 => RequestKind.LargeGet,
        < 50 => RequestKind.SlowGet,
        < 85 => RequestKind.SmallPost,
        _ => RequestKind.LargePost,
    };

    private async Task IssueAsync(RequestKind kind, CancellationToken cancellationToken)
    {
        var id = tally.Start(kind);
        string? postId = null;
        try
        {
            using var request = Build(kind, out postId, out var expected);
            using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
            var body = await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
            var expectedStatus = kind is RequestKind.SmallPost or RequestKind.LargePost ? HttpStatusCode.Created : HttpStatusCode.OK;
            if (response.StatusCode != expectedStatus || !body.AsSpan().SequenceEqual(expected))
            {
                tally.End(id, RequestOutcome.WrongResponse, postId, $"{(int)response.StatusCode}, {body.Length} bytes: {Preview(body)}");
                return;
            }

            tally.End(id, RequestOutcome.Response, postId);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            tally.End(id, RequestOutcome.Cancelled, postId);
        }
        catch (HttpRequestException exception)
        {
            tally.End(id, RequestOutcome.TypedFailure, postId, $"HttpRequestException({exception.HttpRequestError})");
        }
        catch (HttpIOException exception)
        {
            tally.End(id, RequestOutcome.TypedFailure, postId, $"{exception.GetType().Name}({exception.HttpRequestError})");
        }
        catch (Exception exception)
        {
            tally.End(id, RequestOutcome.UntypedFailure, postId, exception.ToString());
        }
    }

    private HttpRequestMessage Build(RequestKind kind, out string? postId, out byte[] expected)
    {
        postId = null;
        switch (kind)
        {
            case RequestKind.SmallGet:
                var n = random.Next(1_000_000);
                expected = System.Text.Encoding.UTF8.GetBytes(n.ToString(CultureInfo.InvariantCulture));
                return new HttpRequestMessage(HttpMethod.Get, $"items/{n}");
            case RequestKind.LargeGet:
                expected = LargeGetBody;
                return new HttpRequestMessage(HttpMethod.Get, $"blob/{LargeGetSize}");
            case RequestKind.SlowGet:
                expected = "slow"u8.ToArray();
                return new HttpRequestMessage(HttpMethod.Get, $"slow/{random.Next(50, 500)}");
            default:
                postId = $"{name}-{Interlocked.Increment(ref _posts)}";
                var content = new byte[kind == RequestKind.LargePost ? LargePostSize : random.Next(16, 512)];
                random.NextBytes(content);
                expected = System.Text.Encoding.ASCII.GetBytes(Convert.ToHexString(SHA256.HashData(content)));
                var request = new HttpRequestMessage(HttpMethod.Post, "orders") { Content = new ByteArrayContent(content) };
                request.Headers.Add(SoakApp.PostIdHeader, postId);
                return request;
        }
    }

    private static string Preview(byte[] body) => System.Text.Encoding.UTF8.GetString(body.AsSpan(0, Math.Min(body.Length, 200)));
}
