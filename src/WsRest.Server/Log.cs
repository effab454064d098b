using Microsoft.Extensions.Logging;

namespace WsRest.Server;

/// <summary>Server log events. Ids are stable; metadata values and credentials are never logged.</summary>
internal static partial class Log
{
    [LoggerMessage(1, LogLevel.Information, "WsRest connection {ConnectionId} opened from {RemoteEndPoint}.")]
    public static partial void ConnectionOpened(ILogger logger, string connectionId, string? remoteEndPoint);

    [LoggerMessage(2, LogLevel.Information, "WsRest connection {ConnectionId} closed.")]
    public static partial void ConnectionClosed(ILogger logger, string connectionId);

    [LoggerMessage(3, LogLevel.Warning, "WsRest connection {ConnectionId} failed.")]
    public static partial void ConnectionFailed(ILogger logger, string connectionId, Exception error);

    [LoggerMessage(4, LogLevel.Warning, "WsRest handshake from {RemoteEndPoint} failed: {Reason}")]
    public static partial void HandshakeFailed(ILogger logger, string? remoteEndPoint, string reason);

    // Kestrel's wording (its ApplicationError, event 13), for a failed request and a failed OnCompleted callback alike.
    [LoggerMessage(5, LogLevel.Error, "Connection id \"{ConnectionId}\", Request id \"{TraceIdentifier}\": An unhandled exception was thrown by the application.", EventName = "ApplicationError")]
    public static partial void ApplicationError(ILogger logger, string connectionId, string? traceIdentifier, Exception error);

    [LoggerMessage(6, LogLevel.Error, "Connection id \"{ConnectionId}\", Request id \"{TraceIdentifier}\": An unhandled exception was thrown by the application.", EventName = "OnCompletedError")]
    public static partial void OnCompletedError(ILogger logger, string connectionId, string? traceIdentifier, Exception error);

    [LoggerMessage(7, LogLevel.Error, "A WsRest connection arrived but the application pipeline was not captured: AddWsRest must run after the app's server is registered (after WebApplicationFactory's UseKestrel() too), and the server must have started.")]
    public static partial void PipelineNotCaptured(ILogger logger);

    [LoggerMessage(8, LogLevel.Debug, "WsRest upgrade rejected: {Reason}")]
    public static partial void UpgradeRejected(ILogger logger, string reason);

    [LoggerMessage(9, LogLevel.Information, "WsRest connection {ConnectionId}: the credentials of its upgrade expired; closing it (GOAWAY).")]
    public static partial void CredentialsExpired(ILogger logger, string connectionId);

    // Kestrel's wording and level for the same event (its RequestAborted, event 66).
    [LoggerMessage(10, LogLevel.Debug, "Connection id \"{ConnectionId}\", Request id \"{TraceIdentifier}\": The request was aborted by the client.", EventName = "RequestAborted")]
    public static partial void RequestAborted(ILogger logger, string connectionId, string? traceIdentifier);

    // Kestrel's wording and level for the same event (its ConnectionBadRequest, event 17).
    [LoggerMessage(11, LogLevel.Debug, "Connection id \"{ConnectionId}\" bad request data: \"{Reason}\"", EventName = "ConnectionBadRequest")]
    public static partial void BadRequest(ILogger logger, string connectionId, string reason);
}
