namespace PetStore.Api;

/// <summary>
/// The pub/sub topics that announce kiosks coming and going (published by <see cref="KioskEventPublisher"/>),
/// so a page can keep its list of kiosks current without polling <c>GET /kiosks</c>. Each event is a
/// <see cref="ConnectedKiosk"/> as JSON.
/// </summary>
public static class KioskEvents
{
    /// <summary>A kiosk's connection was established.</summary>
    public const string Connected = "kiosks/connected";

    /// <summary>A kiosk's connection ended (closed or failed).</summary>
    public const string Disconnected = "kiosks/disconnected";

    /// <summary>Both topics.</summary>
    public static IReadOnlyList<string> Topics { get; } = [Connected, Disconnected];
}
