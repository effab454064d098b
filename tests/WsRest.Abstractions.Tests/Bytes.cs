using System.Buffers;
using WsRest.Protocol;

namespace WsRest.Abstractions.Tests;

/// <summary>Small helpers to build and print wire bytes in tests.</summary>
internal static class Bytes
{
    /// <summary>Parses hex digits; spaces are allowed between bytes for readability.</summary>
    public static byte[] FromHex(string hex) => Convert.FromHexString(hex.Replace(" ", string.Empty, StringComparison.Ordinal));

    public static string ToHex(ReadOnlySpan<byte> bytes) => Convert.ToHexStringLower(bytes);

    /// <summary>Runs a writer against a fresh buffer and returns what it wrote.</summary>
    public static byte[] Write(Action<IBufferWriter<byte>> write)
    {
        var buffer = new ArrayBufferWriter<byte>();
        write(buffer);
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>Concatenates varints, for hand-built payloads.</summary>
    public static byte[] VarInts(params ulong[] values) => Write(writer =>
    {
        foreach (var value in values)
        {
            VarInt.Write(writer, value);
        }
    });

    /// <summary>Decodes a message that must hold exactly one frame and returns its parts.</summary>
    public static (FrameType Type, FrameFlags Flags, ulong StreamId, byte[] Payload) SingleFrame(byte[] message)
    {
        Assert.That(FrameCodec.TryReadFrame(message, out var frame, out var consumed), Is.True, "the message holds a whole frame");
        Assert.That(consumed, Is.EqualTo(message.Length), "the message holds exactly one frame");
        return (frame.Type, frame.Flags, frame.StreamId, frame.Payload.ToArray());
    }
}
