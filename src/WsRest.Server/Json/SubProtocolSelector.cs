namespace WsRest.Server.Json;

/// <summary>
/// Picks the encoding of a new connection (docs/protocol.md §2, §13.1): the first subprotocol in the
/// client's order that the server implements, so a client that offers both states its preference.
/// </summary>
internal static class SubProtocolSelector
{
    public static string? Select(IList<string> requested, bool jsonEnabled)
    {
        foreach (var offered in requested)
        {
            if (string.Equals(offered, WsRestProtocol.SubProtocol, StringComparison.Ordinal)
                || (jsonEnabled && string.Equals(offered, WsRestProtocol.JsonSubProtocol, StringComparison.Ordinal)))
            {
                return offered == WsRestProtocol.SubProtocol ? WsRestProtocol.SubProtocol : WsRestProtocol.JsonSubProtocol;
            }
        }

        return null;
    }
}
