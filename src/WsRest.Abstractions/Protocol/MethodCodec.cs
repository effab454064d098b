namespace WsRest.Protocol;

/// <summary>Method codes for REQUEST frames (docs/protocol.md §5.1): one byte for the common methods.</summary>
internal static class MethodCodec
{
    public const int Literal = 0;

    private static readonly string[] s_methods = ["GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS", "TRACE", "CONNECT"];

    public static int GetCode(string method)
    {
        // Reference equality first: HttpMethod and HttpMethods hand out interned strings.
        for (var i = 0; i < s_methods.Length; i++)
        {
            if (ReferenceEquals(s_methods[i], method) || string.Equals(s_methods[i], method, StringComparison.Ordinal))
            {
                return i + 1;
            }
        }

        return Literal;
    }

    public static bool TryGetMethod(ulong code, out string method)
    {
        if (code >= 1 && code <= (ulong)s_methods.Length)
        {
            method = s_methods[code - 1];
            return true;
        }

        method = string.Empty;
        return false;
    }
}
