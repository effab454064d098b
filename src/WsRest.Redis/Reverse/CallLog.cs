using Microsoft.Extensions.Logging;

namespace WsRest.Redis.Reverse;

/// <summary>Log messages of cross-node reverse calls (ids 320-339).</summary>
internal static partial class CallLog
{
    [LoggerMessage(320, LogLevel.Information, "Cross-node reverse call {CallId} to connection {ConnectionId} for node {CallerNode} failed here.")]
    public static partial void OwnerCallFailed(ILogger logger, Guid callId, string connectionId, string callerNode, Exception exception);

    [LoggerMessage(321, LogLevel.Warning, "Could not tell node {Node} that cross-node reverse call {CallId} failed; it times out there.")]
    public static partial void FailureNotDelivered(ILogger logger, Guid callId, string node, Exception exception);

    [LoggerMessage(322, LogLevel.Information, "Sending the request body of cross-node reverse call {CallId} to node {Node} failed.")]
    public static partial void RequestBodyFailed(ILogger logger, Guid callId, string node, Exception exception);

    [LoggerMessage(323, LogLevel.Debug, "A control message ({Kind}) of cross-node reverse call {CallId} to node {Node} could not be sent.")]
    public static partial void ControlNotSent(ILogger logger, string kind, Guid callId, string node, Exception exception);

    [LoggerMessage(324, LogLevel.Warning, "Node {Node} has not been heard from for {Silence} ms on cross-node reverse call {CallId}; the call fails.")]
    public static partial void PeerSilent(ILogger logger, Guid callId, string node, long silence);

    [LoggerMessage(325, LogLevel.Warning, "A message on this node's Redis call channel is not a cross-node reverse call message; ignored.")]
    public static partial void MalformedMessage(ILogger logger);

    [LoggerMessage(326, LogLevel.Warning, "Node {Node} cannot listen for cross-node reverse calls on Redis yet; retrying every heartbeat interval.")]
    public static partial void ListenFailed(ILogger logger, string node, Exception exception);
}
