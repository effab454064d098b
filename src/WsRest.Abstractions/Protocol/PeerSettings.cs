using System.Buffers;

namespace WsRest.Protocol;

/// <summary>
/// Limits one peer announces in the handshake (docs/protocol.md §4.3): each says what the announcing
/// peer is willing to receive. Unknown keys are ignored so later versions can add settings.
/// </summary>
internal sealed record PeerSettings
{
    public const int KeyMaxConcurrentStreams = 1;
    public const int KeyInitialStreamWindow = 2;
    public const int KeyInitialConnectionWindow = 3;
    public const int KeyMaxMessageSize = 4;
    public const int KeyMaxHeaderListSize = 5;
    public const int KeyHeartbeatIntervalMs = 6;
    public const int KeyPubSub = 7;

    /// <summary>The smallest message size a peer may announce: room for any handshake and a useful DATA frame.</summary>
    public const int MinMessageSize = 4096;

    public int MaxConcurrentStreams { get; init; } = 100;

    public int InitialStreamWindow { get; init; } = 256 * 1024;

    public int InitialConnectionWindow { get; init; } = 1024 * 1024;

    public int MaxMessageSize { get; init; } = 1024 * 1024;

    public int MaxHeaderListSize { get; init; } = 64 * 1024;

    /// <summary>Interval at which the announcing peer expects liveness traffic; 0 = none announced.</summary>
    public int HeartbeatIntervalMs { get; init; }

    /// <summary>1 when the announcing peer accepts pub/sub frames (docs/protocol.md §10); 0 otherwise.</summary>
    public int PubSub { get; init; }

    public void Write(IBufferWriter<byte> writer)
    {
        // PubSub is written only when on, so peers without pub/sub send exactly the six v1 settings.
        VarInt.Write(writer, PubSub != 0 ? 7UL : 6UL);
        WritePair(writer, KeyMaxConcurrentStreams, MaxConcurrentStreams);
        WritePair(writer, KeyInitialStreamWindow, InitialStreamWindow);
        WritePair(writer, KeyInitialConnectionWindow, InitialConnectionWindow);
        WritePair(writer, KeyMaxMessageSize, MaxMessageSize);
        WritePair(writer, KeyMaxHeaderListSize, MaxHeaderListSize);
        WritePair(writer, KeyHeartbeatIntervalMs, HeartbeatIntervalMs);
        if (PubSub != 0)
        {
            WritePair(writer, KeyPubSub, PubSub);
        }
    }

    public static PeerSettings Read(ref PayloadReader reader)
    {
        var settings = new PeerSettings();
        var count = reader.ReadVarInt();
        if (count > 64)
        {
            throw PayloadReader.Malformed($"{count} settings is more than the 64 allowed");
        }

        for (ulong i = 0; i < count; i++)
        {
            var key = reader.ReadVarInt();
            var value = reader.ReadInt32("setting value");
            settings = key switch
            {
                KeyMaxConcurrentStreams => settings with { MaxConcurrentStreams = value },
                KeyInitialStreamWindow => settings with { InitialStreamWindow = value },
                KeyInitialConnectionWindow => settings with { InitialConnectionWindow = value },
                KeyMaxMessageSize => settings with { MaxMessageSize = value },
                KeyMaxHeaderListSize => settings with { MaxHeaderListSize = value },
                KeyHeartbeatIntervalMs => settings with { HeartbeatIntervalMs = value },
                KeyPubSub => settings with { PubSub = value },
                _ => settings,
            };
        }

        if (settings.MaxMessageSize < MinMessageSize)
        {
            throw PayloadReader.Malformed($"max message size {settings.MaxMessageSize} is below the minimum of {MinMessageSize}");
        }

        if (settings.InitialStreamWindow < 1 || settings.InitialConnectionWindow < 1)
        {
            throw PayloadReader.Malformed("a flow-control window must be at least 1 byte");
        }

        return settings;
    }

    private static void WritePair(IBufferWriter<byte> writer, int key, int value)
    {
        VarInt.Write(writer, (ulong)key);
        VarInt.Write(writer, (ulong)value);
    }
}
