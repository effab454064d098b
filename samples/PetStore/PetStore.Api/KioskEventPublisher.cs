using WsRest.Server;

namespace PetStore.Api;

/// <summary>
/// Watches the <see cref="WsRestConnectionRegistry"/> and publishes <see cref="KioskEvents"/> for the
/// connections that announced themselves as kiosks. The registry lists a connection before it
/// announces it, so a reader reacting to <see cref="KioskEvents.Connected"/> finds the kiosk in
/// <c>GET /kiosks</c>.
/// </summary>
internal sealed partial class KioskEventPublisher(WsRestConnectionRegistry registry, IWsRestPublisher publisher, ILogger<KioskEventPublisher> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await foreach (var change in registry.WatchAsync(stoppingToken).ConfigureAwait(false))
        {
            if (!KioskEndpoints.IsKiosk(change.Connection))
            {
                continue;
            }

            var topic = change.Kind == WsRestConnectionEventKind.Connected ? KioskEvents.Connected : KioskEvents.Disconnected;
            var kiosk = KioskEndpoints.Describe(change.Connection);
            await publisher.PublishAsJsonAsync(topic, kiosk, KioskJsonContext.Default.ConnectedKiosk, stoppingToken).ConfigureAwait(false);
            LogPublished(logger, topic, kiosk.Name, kiosk.Id);
        }
    }

    [LoggerMessage(EventId = 1, Level = LogLevel.Debug, Message = "Published {Topic} for kiosk {Name} ({Id})")]
    private static partial void LogPublished(ILogger logger, string topic, string name, string id);
}
