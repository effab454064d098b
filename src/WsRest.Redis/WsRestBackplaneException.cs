namespace WsRest.Redis;

/// <summary>
/// Redis did not do what the WsRest backplane asked (unreachable, timed out, refused). The message says
/// what was attempted and whether it may still have happened; <see cref="Exception.InnerException"/> is
/// the Redis client's exception.
/// </summary>
public sealed class WsRestBackplaneException : Exception
{
    /// <summary>Creates the exception.</summary>
    public WsRestBackplaneException()
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    public WsRestBackplaneException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and the Redis client's exception.</summary>
    public WsRestBackplaneException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
