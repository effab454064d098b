namespace WsRest;

/// <summary>
/// Thrown when a peer violates the wsrest.v1 protocol. A connection-level violation closes the
/// connection; <see cref="ErrorCode"/> says which rule was broken.
/// </summary>
public sealed class WsRestProtocolException : Exception
{
    /// <summary>Creates an exception with <see cref="WsRestErrorCode.ProtocolError"/>.</summary>
    public WsRestProtocolException(string message)
        : this(WsRestErrorCode.ProtocolError, message)
    {
    }

    /// <summary>Creates an exception with the given error code.</summary>
    public WsRestProtocolException(WsRestErrorCode errorCode, string message)
        : base(message)
    {
        ErrorCode = errorCode;
    }

    /// <summary>Creates an exception with the given error code and inner exception.</summary>
    public WsRestProtocolException(WsRestErrorCode errorCode, string message, Exception? innerException)
        : base(message, innerException)
    {
        ErrorCode = errorCode;
    }

    /// <summary>The protocol error code that describes the violation.</summary>
    public WsRestErrorCode ErrorCode { get; }
}
