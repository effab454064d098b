using System.Buffers;
using WsRest.Protocol;

namespace WsRest.Engine;

/// <summary>
/// A frame waiting for the writer. Either the payload is in a rented array that the writer returns
/// to the pool once copied, or it is borrowed from the application's buffer (<see cref="Borrowed"/>:
/// the writer only reports it released), or the frame is a small control frame described by
/// <see cref="Value"/>. A struct so queueing a frame allocates nothing.
/// </summary>
internal readonly struct OutgoingFrame
{
    private OutgoingFrame(FrameType type, FrameFlags flags, ulong streamId, byte[]? payload, int length, long value, IQueuedFrameOwner? owner = null, bool isReply = false, bool isBorrowed = false)
    {
        Owner = owner;
        IsReply = isReply;
        IsBorrowed = isBorrowed;
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

    /// <summary>WINDOW increment or CANCEL code for control frames without a payload array; the payload's offset in its array for a borrowed one.</summary>
    public long Value { get; }

    /// <summary>The payload is the application's memory (<see cref="Borrowed"/>), not a rented array: never returned to the pool.</summary>
    public bool IsBorrowed { get; }

    /// <summary>The payload bytes (a borrowed payload starts at its offset in the array).</summary>
    public ReadOnlySpan<byte> PayloadSpan => Payload.AsSpan(IsBorrowed ? (int)Value : 0, Length);

    public static OutgoingFrame WithPayload(FrameType type, FrameFlags flags, ulong streamId, byte[]? payload, int length, IQueuedFrameOwner? owner = null)
        => new(type, flags, streamId, payload, length, 0, owner);

    /// <summary>The stream whose queue share this DATA frame holds; the writer releases it once the frame is copied.</summary>
    public IQueuedFrameOwner? Owner { get; }

    /// <summary>
    /// A DATA frame whose payload stays in the application's array (issue 17): the writer copies it
    /// straight into its message, and releasing the frame (copied or dropped) tells
    /// <paramref name="owner"/>, whose write completes once all its frames are released. The offset
    /// rides in <see cref="Value"/>, unused by payload frames, so the struct does not grow.
    /// </summary>
    public static OutgoingFrame Borrowed(FrameFlags flags, ulong streamId, byte[] array, int offset, int length, BorrowedPayloads owner)
        => new(FrameType.Data, flags, streamId, array, length, offset, owner, isBorrowed: true);

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
                FrameCodec.WriteFrame(writer, Type, Flags, StreamId, PayloadSpan);
                break;
        }
    }

    /// <summary>The writer is done with the payload (copied it, or dropped the frame): back to the pool, or a borrowed one released to its owner.</summary>
    public void ReturnPayload()
    {
        if (IsBorrowed)
        {
            ((BorrowedPayloads)Owner!).Release(Length);
        }
        else if (Payload is { Length: > 0 })
        {
            BytePool.Return(Payload);
        }
    }
}
