using System.Net;
using Polly;
using Polly.Retry;

namespace WsRest.Tests.Resilience;

/// <summary>
/// The example from docs/resilience.md: a Polly pipeline in the HttpClient pipeline that retries
/// idempotent requests which failed because the connection dropped
/// (<see cref="HttpRequestError.ConnectionError"/>). WsRest fails such requests at once; the retry
/// then waits for WsRest's own reconnect and goes out on the new connection.
/// </summary>
public sealed class RetryOnConnectionErrorHandler : DelegatingHandler
{
    private static readonly HttpMethod[] s_idempotent = [HttpMethod.Get, HttpMethod.Head, HttpMethod.Options, HttpMethod.Put, HttpMethod.Delete, HttpMethod.Trace];

    private readonly ResiliencePipeline<HttpResponseMessage> _pipeline;

    public RetryOnConnectionErrorHandler(int maxRetries = 3, TimeSpan? delay = null, TimeSpan? attemptTimeout = null)
    {
        _pipeline = new ResiliencePipelineBuilder<HttpResponseMessage>()
            .AddRetry(new RetryStrategyOptions<HttpResponseMessage>
            {
                ShouldHandle = args => ValueTask.FromResult(
                    args.Outcome.Exception is HttpRequestException { HttpRequestError: HttpRequestError.ConnectionError }
                    && args.Context.Properties.TryGetValue(RequestKey, out var request)
                    && s_idempotent.Contains(request.Method)),
                MaxRetryAttempts = maxRetries,
                Delay = delay ?? TimeSpan.FromMilliseconds(200),
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                OnRetry = _ =>
                {
                    Interlocked.Increment(ref _retries);
                    return default;
                },
            })
            .AddTimeout(attemptTimeout ?? TimeSpan.FromSeconds(30))
            .Build();
    }

    private static readonly ResiliencePropertyKey<HttpRequestMessage> RequestKey = new("request");

    private int _retries;

    /// <summary>How many retries this handler has made.</summary>
    public int Retries => Volatile.Read(ref _retries);

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var context = ResilienceContextPool.Shared.Get(cancellationToken);
        context.Properties.Set(RequestKey, request);
        try
        {
            return await _pipeline.ExecuteAsync(
                static (ctx, state) => new ValueTask<HttpResponseMessage>(state.Handler.BaseSendAsync(state.Request, ctx.CancellationToken)),
                context,
                (Handler: this, Request: request));
        }
        finally
        {
            ResilienceContextPool.Shared.Return(context);
        }
    }

    private Task<HttpResponseMessage> BaseSendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        => base.SendAsync(request, cancellationToken);
}
