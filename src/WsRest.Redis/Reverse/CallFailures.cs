namespace WsRest.Redis.Reverse;

/// <summary>Turns an owner's failure report into the exception a local reverse call throws for the same cause.</summary>
internal static class CallFailures
{
    public static Exception ToException(CallFailure failure, string reason, string node) => failure switch
    {
        CallFailure.NotFound => new HttpRequestException(HttpRequestError.ConnectionError, reason),
        CallFailure.Unauthorized => new UnauthorizedAccessException(reason),
        _ => new HttpRequestException($"The reverse call failed on node {node}: {reason}"),
    };

    public static CallFailure Classify(Exception exception) => exception switch
    {
        UnauthorizedAccessException => CallFailure.Unauthorized,
        HttpRequestException { HttpRequestError: HttpRequestError.ConnectionError } => CallFailure.NotFound,
        _ => CallFailure.Failed,
    };
}
