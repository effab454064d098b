namespace WsRest.Load;

/// <summary>The bodies every transport carries, byte for byte the same.</summary>
internal static class Payloads
{
    /// <summary>GET /small (and the raw endpoint's answer to an empty request): 100 bytes of JSON.</summary>
    public static readonly byte[] SmallJson =
        """{"id":42000,"name":"Rex","status":"available","tags":["dog","small"],"note":"same bytes everywhere"}"""u8.ToArray();

    /// <summary>Size of the POST /echo4k request body, echoed back.</summary>
    public const int EchoSize = 4096;

    /// <summary>The POST /echo4k body (read-only after start; shared by all loops).</summary>
    public static readonly byte[] Echo4K = CreateEchoBody();

    private static byte[] CreateEchoBody()
    {
        var body = new byte[EchoSize];
        for (var i = 0; i < body.Length; i++)
        {
            body[i] = (byte)('a' + (i % 26));
        }

        return body;
    }
}
