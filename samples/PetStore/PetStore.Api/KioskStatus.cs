namespace PetStore.Api;

// These XML docs become descriptions in the OpenAPI document, so they are written for API clients.

/// <summary>What a kiosk reports about itself.</summary>
/// <param name="Name">The kiosk's name.</param>
/// <param name="Screen">The text on the kiosk's screen.</param>
/// <param name="UptimeSeconds">Seconds since the kiosk started.</param>
/// <param name="ServedBy">The caller the kiosk saw: the store server (<c>petstore</c>) when read through this API.</param>
public sealed record KioskStatus(string Name, string Screen, double UptimeSeconds, string ServedBy);
