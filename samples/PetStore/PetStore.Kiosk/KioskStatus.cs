namespace PetStore.Kiosk;

/// <summary>The body of <c>GET /status</c>.</summary>
/// <param name="Name">The kiosk's name.</param>
/// <param name="Screen">The text on its screen.</param>
/// <param name="UptimeSeconds">Seconds since the kiosk started.</param>
/// <param name="ServedBy">Who asked: the caller name the server stamped on the request (<c>petstore</c> for the PetStore server).</param>
internal sealed record KioskStatus(string Name, string Screen, double UptimeSeconds, string ServedBy);
