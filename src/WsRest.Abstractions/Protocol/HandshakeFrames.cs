using System.Buffers;

namespace WsRest.Protocol;

/// <summary>HELLO payload (client to server, docs/protocol.md §4.1).</summary>
internal sealed record HelloFrame(int Version, PeerSettings Settings, IReadOnlyList<KeyValuePair<string, string>> Metadata, byte[]? PreviousConnectionId)
{
    public void Write(IBufferWriter<byte> writer)
    {
        VarInt.Write(writer, (ulong)Version);
        Settings.Write(writer);
        VarInt.Write(writer, (ulong)Metadata.Count);
        foreach (var (key, value) in Metadata)
        {
            PayloadWriter.WriteString(writer, key);
            PayloadWriter.WriteString(writer, value);
        }

        var previous = PreviousConnectionId ?? [];
        VarInt.Write(writer, (ulong)previous.Length);
        writer.Write(previous);
    }

    /// <summary>Decodes a HELLO; <paramref name="maxMetadataBytes"/> bounds the metadata's UTF-8 size.</summary>
    public static HelloFrame Read(ReadOnlySpan<byte> payload, int maxMetadataBytes)
    {
        var reader = new PayloadReader(payload);
        var version = reader.ReadInt32("version");
        var settings = PeerSettings.Read(ref reader);
        var count = reader.ReadVarInt();
        var metadata = new List<KeyValuePair<string, string>>();
        var total = 0;
        for (ulong i = 0; i < count; i++)
        {
            var before = reader.Remaining.Length;
            string key, value;
            try
            {
                key = reader.ReadString(maxMetadataBytes);
                value = reader.ReadString(maxMetadataBytes);
            }
            catch (WsRestProtocolException ex) when (ex.ErrorCode == WsRestErrorCode.MessageTooLarge)
            {
                throw MetadataTooLarge(maxMetadataBytes);
            }

            total += before - reader.Remaining.Length;
            if (total > maxMetadataBytes)
            {
                throw MetadataTooLarge(maxMetadataBytes);
            }

            // Metadata ends up in logs, registries and headers of the app's choosing: no line breaks or
            // NULs to forge entries with, as for header values (docs/protocol.md §4.1).
            if (ContainsControl(key) || ContainsControl(value))
            {
                throw PayloadReader.Malformed($"metadata entry '{(ContainsControl(key) ? "(key with a control character)" : key)}' contains a control character");
            }

            metadata.Add(new KeyValuePair<string, string>(key, value));
        }

        var previousLength = reader.ReadInt32("connection id length");
        if (previousLength is not (0 or ConnectionIdLength))
        {
            throw PayloadReader.Malformed($"a previous connection id must be {ConnectionIdLength} bytes");
        }

        var previous = previousLength == 0 ? null : reader.ReadBytes(previousLength).ToArray();
        if (!reader.End)
        {
            throw PayloadReader.Malformed("trailing bytes after HELLO");
        }

        return new HelloFrame(version, settings, metadata, previous);
    }

    public const int ConnectionIdLength = 16;

    private static bool ContainsControl(string text) => text.AsSpan().IndexOfAnyInRange('\0', '\u001f') >= 0 || text.Contains('\u007f', StringComparison.Ordinal);

    private static WsRestProtocolException MetadataTooLarge(int limit)
        => new(WsRestErrorCode.MessageTooLarge, $"The handshake metadata exceeds the limit of {limit} bytes.");
}

/// <summary>WELCOME payload (server to client, docs/protocol.md §4.2).</summary>
internal sealed record WelcomeFrame(int Version, byte[] ConnectionId, PeerSettings Settings)
{
    public void Write(IBufferWriter<byte> writer)
    {
        if (ConnectionId.Length != HelloFrame.ConnectionIdLength)
        {
            throw new InvalidOperationException($"A connection id is {HelloFrame.ConnectionIdLength} bytes.");
        }

        VarInt.Write(writer, (ulong)Version);
        writer.Write(ConnectionId);
        Settings.Write(writer);
    }

    public static WelcomeFrame Read(ReadOnlySpan<byte> payload)
    {
        var reader = new PayloadReader(payload);
        var version = reader.ReadInt32("version");
        var id = reader.ReadBytes(HelloFrame.ConnectionIdLength).ToArray();
        var settings = PeerSettings.Read(ref reader);
        if (!reader.End)
        {
            throw PayloadReader.Malformed("trailing bytes after WELCOME");
        }

        return new WelcomeFrame(version, id, settings);
    }
}
