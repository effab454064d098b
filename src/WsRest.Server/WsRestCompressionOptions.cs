namespace WsRest.Server;

/// <summary>
/// WebSocket permessage-deflate (RFC 7692) on WsRest connections (docs/server.md, docs/security.md).
/// Off by default; when enabled, a connection compresses only if its client offers the extension too.
/// </summary>
/// <remarks>
/// Off by default because compressing across the messages of a connection mixes secrets (cookies,
/// tokens, personal data in responses) with data an attacker may influence, and the compressed size can
/// then reveal the secrets (CRIME/BREACH); and because each connection then holds a deflate and an
/// inflate context (about 300 KiB at 15 window bits) for as long as it lives. Enable it for traffic
/// where bandwidth matters more than both, e.g. many small similar messages over a metered link.
/// </remarks>
public sealed class WsRestCompressionOptions
{
    /// <summary>Accept permessage-deflate when a client offers it. Default false.</summary>
    public bool Enabled { get; set; }

    /// <summary>
    /// Base-2 logarithm of the LZ77 window the server compresses with, 9 to 15 (RFC 7692 §7.1.2.1);
    /// smaller saves memory per connection and compresses less. A client asking for a smaller window
    /// gets it. Default 15.
    /// </summary>
    public int ServerMaxWindowBits { get; set; } = 15;

    /// <summary>
    /// Keep the server's compression context from one message to the next (RFC 7692 §7.1.1.1), so a
    /// message that repeats earlier ones compresses to a few bytes; false compresses each message alone
    /// (less memory while idle, much less gain on small messages). Default true.
    /// </summary>
    public bool ServerContextTakeover { get; set; } = true;
}
