using System.Net.Http;
using Polly;
using Polly.Retry;

namespace WsRest.Client;

/// <summary>The default reconnect policy: Polly retry with exponential backoff and jitter.</summary>
internal static class ReconnectPipeline
{
    public static ResiliencePipeline Create(WsRestReconnectOptions options, TimeProvider timeProvider, Action<TimeSpan> onDelay)
    {
        var attempts = options.MaxAttempts ?? int.MaxValue;
        return new ResiliencePipelineBuilder { TimeProvider = timeProvider }
            .AddRetry(new RetryStrategyOptions
            {
                ShouldHandle = new PredicateBuilder().Handle<HttpRequestException>(),

                // MaxAttempts counts every attempt; Polly counts retries after the first.
                MaxRetryAttempts = attempts == int.MaxValue ? int.MaxValue : Math.Max(attempts - 1, 0),
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = options.UseJitter,
                Delay = options.InitialDelay,
                MaxDelay = options.MaxDelay,
                OnRetry = args =>
                {
                    onDelay(args.RetryDelay);
                    return default;
                },
            })
            .Build();
    }
}
