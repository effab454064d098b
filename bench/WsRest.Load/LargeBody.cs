namespace WsRest.Load;

/// <summary>The bytes of the large-body scenarios: one 64 KiB chunk, repeated, on every transport.</summary>
internal static class LargeBody
{
    public const int ChunkSize = 64 * 1024;

    public const long BytesPerMib = 1024 * 1024;

    /// <summary>Read-only after start; every download, upload and raw message reuses it.</summary>
    public static readonly byte[] Chunk = CreateChunk();

    private static byte[] CreateChunk()
    {
        var chunk = new byte[ChunkSize];
        for (var i = 0; i < chunk.Length; i++)
        {
            chunk[i] = (byte)(i * 31);
        }

        return chunk;
    }
}
