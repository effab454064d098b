using Polly;
using Polly.Retry;

namespace Snippets.Resilience;

// The handler of docs/resilience.md, "Retrying in the HttpClient pipeline".
#region resilience.retry-handler
/// <summary>
/// Retries idempotent requests that failed because the connection dropped. WsRest fails them at once
/// with HttpRequestError.ConnectionError; the retry waits for WsRest's reconnect and goes out on the new connection.
/// </summary>
public sealed class RetryOnConnectionErrorHandler : DelegatingHandler
{
    private static readonly ResiliencePropertyKey<HttpRequestMessage> RequestKey = new("request");

    private readonly ResiliencePipeline<HttpResponseMessage> _pipeline = new ResiliencePipelineBuilder<HttpResponseMessage>()
        .AddRetry(new RetryStrategyOptions<HttpResponseMessage>
        {
            ShouldHandle = args => ValueTask.FromResult(
                args.Outcome.Exception is HttpRequestException { HttpRequestError: HttpRequestError.ConnectionError }
                && args.Context.Properties.TryGetValue(RequestKey, out var request)
                && IsIdempotent(request.Method)),   // a POST may have been processed before the connection dropped
            MaxRetryAttempts = 3,
            Delay = TimeSpan.FromMilliseconds(200),
            BackoffType = DelayBackoffType.Exponential,
            UseJitter = true,
        })
        .AddTimeout(TimeSpan.FromSeconds(30))
        .Build();

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var context = ResilienceContextPool.Shared.Get(cancellationToken);
        context.Properties.Set(RequestKey, request);
        try
        {
            return await _pipeline.ExecuteAsync(async c => await base.SendAsync(request, c.CancellationToken), context);
        }
        finally
        {
            ResilienceContextPool.Shared.Return(context);
        }
    }

    private static bool IsIdempotent(HttpMethod method)
        => method == HttpMethod.Get || method == HttpMethod.Head || method == HttpMethod.Options
        || method == HttpMethod.Put || method == HttpMethod.Delete || method == HttpMethod.Trace;
}
#endregion
