namespace PetStore.Tests;

/// <summary>How a test's <see cref="HttpClient"/> reaches the PetStore API.</summary>
public enum Transport
{
    /// <summary>Plain HTTP/1.1 to Kestrel.</summary>
    Http,

    /// <summary>Through a <c>WebSocketMessageHandler</c> over one WsRest connection.</summary>
    WsRest,
}
