namespace WsRest.Http;

/// <summary>
/// Headers that describe one HTTP/1.1 hop (RFC 9110 §7.6.1) and mean nothing inside a tunnel; they
/// are never sent in either direction. Host is sent only when the caller set it explicitly (an
/// <see cref="System.Net.Http.HttpRequestMessage"/> has none otherwise); the receiver falls back to
/// the upgrade request's host.
/// </summary>
internal static class HopByHopHeaders
{
    public static bool IsExcluded(string name) => name.Length switch
    {
        2 => name.Equals("TE", StringComparison.OrdinalIgnoreCase),
        7 => name.Equals("Upgrade", StringComparison.OrdinalIgnoreCase),
        10 => name.Equals("Connection", StringComparison.OrdinalIgnoreCase) || name.Equals("Keep-Alive", StringComparison.OrdinalIgnoreCase),
        16 => name.Equals("Proxy-Connection", StringComparison.OrdinalIgnoreCase),
        17 => name.Equals("Transfer-Encoding", StringComparison.OrdinalIgnoreCase),
        _ => false,
    };
}
