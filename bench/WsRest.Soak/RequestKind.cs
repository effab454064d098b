namespace WsRest.Soak;

/// <summary>The request mix (weights in <see cref="RequestWorker"/>).</summary>
internal enum RequestKind
{
    SmallGet,
    LargeGet,
    SlowGet,
    SmallPost,
    LargePost,
}

/// <summary>How one request ended.</summary>
internal enum RequestOutcome
{
    /// <summary>A response with the expected status and body.</summary>
    Response,

    /// <summary><c>HttpRequestException</c> or <c>HttpIOException</c>: the errors a caller is told to handle (fast failures included).</summary>
    TypedFailure,

    /// <summary>Cancelled by the soak's own token (a planned cancellation).</summary>
    Cancelled,

    /// <summary>A response that is not this request's answer: an invariant broke.</summary>
    WrongResponse,

    /// <summary>Any other exception: an invariant broke.</summary>
    UntypedFailure,
}
