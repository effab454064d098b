namespace PetStore.Api;

// These XML docs become descriptions in the OpenAPI document, so they are written for API clients.

/// <summary>A store kiosk connected to the server: it dialed the server's WsRest endpoint, and the server calls its API over that socket.</summary>
/// <param name="Id">The kiosk's connection id (32 hex digits); it changes when the kiosk reconnects.</param>
/// <param name="Name">The name the kiosk announced.</param>
/// <param name="ConnectedAt">When the kiosk's connection was established.</param>
public sealed record ConnectedKiosk(string Id, string Name, DateTimeOffset ConnectedAt);
