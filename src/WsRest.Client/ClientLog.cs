using Microsoft.Extensions.Logging;

namespace WsRest.Client;

/// <summary>Client log events. Ids are stable; metadata values and credentials are never logged.</summary>
internal static partial class ClientLog
{
    [LoggerMessage(101, LogLevel.Information, "WsRest connected to {Endpoint}; connection id {ConnectionId}.")]
    public static partial void Connected(ILogger logger, Uri endpoint, string connectionId);

    [LoggerMessage(102, LogLevel.Warning, "WsRest connection {ConnectionId} lost.")]
    public static partial void ConnectionLost(ILogger logger, string? connectionId, Exception? error);

    // The cause rides on every reconnect line (issue 18): the status code of a refused upgrade and the
    // error's message in the text, the exception itself for the stack.
    [LoggerMessage(103, LogLevel.Information, "WsRest reconnect attempt {Attempt} to {Endpoint} after {Delay}; cause: status {StatusCode}, {Reason}")]
    public static partial void Reconnecting(ILogger logger, int attempt, Uri endpoint, TimeSpan delay, int? statusCode, string? reason, Exception? error);

    [LoggerMessage(104, LogLevel.Error, "WsRest stopped reconnecting to {Endpoint} (status {StatusCode}): {Reason}")]
    public static partial void GaveUp(ILogger logger, Uri endpoint, int? statusCode, string reason, Exception error);

    [LoggerMessage(105, LogLevel.Error, "A WsRest client event handler threw.")]
    public static partial void EventHandlerFailed(ILogger logger, Exception error);

    [LoggerMessage(106, LogLevel.Information, "WsRest server at {Endpoint} sent GOAWAY on connection {ConnectionId}; opening a new connection.")]
    public static partial void GoAway(ILogger logger, Uri endpoint, string? connectionId);

    [LoggerMessage(107, LogLevel.Error, "The handler of a subscription to '{Topic}' threw on event {Sequence}; the subscription goes on.")]
    public static partial void SubscriptionHandlerFailed(ILogger logger, string topic, long sequence, Exception error);

    [LoggerMessage(108, LogLevel.Error, "The handler serving a request from the server threw; the request was reset.")]
    public static partial void RequestHandlerFailed(ILogger logger, Exception error);

    [LoggerMessage(110, LogLevel.Debug, "WsRest connecting to {Endpoint}.")]
    public static partial void Connecting(ILogger logger, Uri endpoint);

    [LoggerMessage(111, LogLevel.Warning, "WsRest could not connect to {Endpoint} (status {StatusCode}).")]
    public static partial void ConnectFailed(ILogger logger, Uri endpoint, int? statusCode, Exception error);

    [LoggerMessage(109, LogLevel.Warning, "The server refused to restore the subscription to '{Topic}' after a reconnect: {Reason}")]
    public static partial void SubscriptionRefused(ILogger logger, string topic, string reason);
}
