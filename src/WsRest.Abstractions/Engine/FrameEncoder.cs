using System.Buffers;
using WsRest.Protocol;

namespace WsRest.Engine;

/// <summary>
/// Payload first, then the frame: a frame's envelope carries its payload's length, so the payload is
/// encoded into a pooled buffer before the envelope can be written. The one place that does this for
/// frames built outside the stream code (pub/sub, the handshake).
/// </summary>
internal static class FrameEncoder
{
    /// <summary>
    /// A frame for the writer's queue: only the payload is encoded here; the writer writes the envelope
    /// (<see cref="OutgoingFrame.WriteTo"/>), where every queued frame gets its envelope.
    /// </summary>
    public static OutgoingFrame ForQueue<TState>(FrameType type, FrameFlags flags, ulong id, TState state, Action<IBufferWriter<byte>, TState> writePayload, int sizeHint = 128, IQueuedFrameOwner? owner = null)
    {
        var payload = new PooledBufferWriter(sizeHint);
        try
        {
            writePayload(payload, state);
        }
        catch
        {
            payload.Dispose();
            throw;
        }

        var buffer = payload.DetachBuffer(out var length);
        return OutgoingFrame.WithPayload(type, flags, id, buffer, length, owner);
    }

    /// <summary>A whole frame, envelope and payload, in one pooled buffer the caller disposes (for a socket written directly).</summary>
    public static PooledBufferWriter Whole<TState>(FrameType type, FrameFlags flags, ulong id, TState state, Action<IBufferWriter<byte>, TState> writePayload, int sizeHint = 256)
    {
        using var payload = new PooledBufferWriter(sizeHint);
        writePayload(payload, state);
        var frame = new PooledBufferWriter(payload.WrittenCount + FrameCodec.MaxHeaderLength);
        FrameCodec.WriteFrame(frame, type, flags, id, payload.WrittenSpan);
        return frame;
    }
}
