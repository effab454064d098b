using System.Buffers;
using WsRest.Protocol;

namespace WsRest.Engine;

/// <summary>
/// A frame waiting for the writer. Either the payload is in a rented array that the writer returns
/// to the pool once copied, or the frame is a small control frame described by <see cref="Value"/>.
/// A struct so queueing a frame allocates nothing.
/// </summary>
internal readonly struct OutgoingFrame
{
    private OutgoingFrame(FrameType type, FrameFlags flags, ulong streamId, byte[]? payload, int length, long value, IQueuedFrameOwner? owner = null, bool isReply = false)
    {
        Owner = owner;
        IsReply = isReply;
        Type = type;
        Flags = flags;
        StreamId = streamId;
        Payload = payload;
        Length = length;
        Value = value;
    }

    private const FrameType RawType = 0;

    public FrameType Type { get; }

    /// <summary>The payload array holds whole encoded binary frames (<see cref="Raw"/>).</summary>
    public bool IsRaw => Type == RawType;

    public FrameFlags Flags { get; }

    public ulong StreamId { get; }

    public byte[]? Payload { get; }

    public int Length { get; }

    /// <summary>A reply the peer's own frame provoked (PONG, a refusing CANCEL): counted against the reply limit of <see cref="WriteBacklog"/>.</summary>
    public bool IsReply { get; }

    /// <summary>WINDOW increment or CANCEL code for control frames without a payload array.</summary>
    public long Value { get; }

    public static OutgoingFrame WithPayload(FrameType type, FrameFlags flags, ulong streamId, byte[]? payload, int length, IQueuedFrameOwner? owner = null)
        => new(type, flags, streamId, payload, length, 0, owner);

    /// <summary>The stream whose queue share this DATA frame holds; the writer releases it once the frame is copied.</summary>
    public IQueuedFrameOwner? Owner { get; }

    /// <summary>A frame already encoded whole (envelope and payload), such as GOAWAY or ERROR.</summary>
    public static OutgoingFrame Raw(byte[] frame, int length, IQueuedFrameOwner? owner = null)
        => new(RawType, FrameFlags.None, 0, frame, length, 0, owner);

    public static OutgoingFrame Window(ulong streamId, int increment)
        => new(FrameType.Window, FrameFlags.None, streamId, null, 0, increment);

    public static OutgoingFrame Cancel(ulong streamId, WsRestErrorCode code)
        => new(FrameType.Cancel, FrameFlags.None, streamId, null, 0, (long)code);

    /// <summary>CANCEL refusing a REQUEST the peer sent: a reply, counted as one.</summary>
    public static OutgoingFrame Refusal(ulong streamId, WsRestErrorCode code)
        => new(FrameType.Cancel, FrameFlags.None, streamId, null, 0, (long)code, isReply: true);

    public static OutgoingFrame Ping(long opaque)
        => new(FrameType.Ping, FrameFlags.None, 0, null, 0, opaque);

    /// <summary>The answer to the peer's PING: a reply, counted as one.</summary>
    public static OutgoingFrame Pong(long opaque)
        => new(FrameType.Pong, FrameFlags.None, 0, null, 0, opaque, isReply: true);

    /// <summary>Upper bound of the encoded size, used to decide whether the frame fits in the current message.</summary>
    public int EncodedLengthUpperBound => FrameCodec.MaxHeaderLength + (Payload is null ? 8 : Length);

    public void WriteTo(IBufferWriter<byte> writer)
    {
        switch (Type)
        {
            case RawType:
                writer.Write(Payload.AsSpan(0, Length));
                break;
            case FrameType.Window when Payload is null:
                ControlFrames.WriteWindow(writer, StreamId, (int)Value);
                break;
            case FrameType.Cancel when Payload is null:
                ControlFrames.WriteCancel(writer, StreamId, (WsRestErrorCode)Value);
                break;
            case FrameType.Ping or FrameType.Pong when Payload is null:
                ControlFrames.WritePing(writer, Type, Value);
                break;
            default:
                FrameCodec.WriteFrame(writer, Type, Flags, StreamId, Payload.AsSpan(0, Length));
                break;
        }
    }

    public void ReturnPayload()
    {
        if (Payload is { Length: > 0 })
        {
            ArrayPool<byte>.Shared.Return(Payload);
        }
    }
}
