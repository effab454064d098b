using Microsoft.Extensions.Logging;

namespace WsRest.Server.PubSub;

/// <summary>Pub/sub log events; ids continue the server's (docs/observability.md).</summary>
internal static partial class PubSubLog
{
    [LoggerMessage(20, LogLevel.Warning, "WsRest connection {ConnectionId}: {Operation} on topic '{Topic}' failed.")]
    public static partial void OperationFailed(ILogger logger, string connectionId, string operation, string? topic, Exception error);
}
