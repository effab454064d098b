using Microsoft.AspNetCore.Http.HttpResults;

namespace PetStore.Api;

/// <summary>
/// <c>GET /slow?seconds=N</c>: a request that takes its time, so a client can show cancellation (the
/// web page's Cancel button; <c>AbortSignal</c> over WsRest sends CANCEL, over HTTP the browser drops
/// the request). Outcomes go to <see cref="SlowRequestLog"/>. A demonstration endpoint: it is left
/// out of the OpenAPI document, so the generated client does not have it.
/// </summary>
public static class SlowEndpoints
{
    /// <summary>The longest wait a caller may ask for.</summary>
    public const int MaxSeconds = 300;

    /// <summary>Maps <c>GET /slow</c> onto <paramref name="routes"/>.</summary>
    public static RouteHandlerBuilder MapSlowEndpoints(this IEndpointRouteBuilder routes)
        => routes.MapGet("/slow", WaitAsync).ExcludeFromDescription();

    private static async Task<Results<Ok<SlowResult>, ValidationProblem, EmptyHttpResult>> WaitAsync(SlowRequestLog log, int seconds, CancellationToken requestAborted)
    {
        if (seconds is < 0 or > MaxSeconds)
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["seconds"] = [$"Wait between 0 and {MaxSeconds} seconds."] });
        }

        log.OnStarted();
        try
        {
            await Task.Delay(TimeSpan.FromSeconds(seconds), requestAborted).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (requestAborted.IsCancellationRequested)
        {
            log.OnFinished(aborted: true);
            return TypedResults.Empty; // nobody is listening any more
        }

        log.OnFinished(aborted: false);
        return TypedResults.Ok(new SlowResult(seconds));
    }
}

/// <summary>The answer of a slow request that ran to completion.</summary>
/// <param name="Seconds">How long it waited.</param>
public sealed record SlowResult(int Seconds);
