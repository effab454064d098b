namespace WsRest.Protocol;

/// <summary>One decoded frame; <see cref="Payload"/> points into the message buffer it was read from.</summary>
internal readonly ref struct Frame
{
    public Frame(FrameType type, FrameFlags flags, ulong streamId, ReadOnlySpan<byte> payload)
    {
        Type = type;
        Flags = flags;
        StreamId = streamId;
        Payload = payload;
    }

    public FrameType Type { get; }

    public FrameFlags Flags { get; }

    public ulong StreamId { get; }

    public ReadOnlySpan<byte> Payload { get; }

    public bool EndStream => (Flags & FrameFlags.EndStream) != 0;
}
