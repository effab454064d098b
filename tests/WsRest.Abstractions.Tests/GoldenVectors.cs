using System.Buffers;
using System.Text;
using WsRest.Protocol;

namespace WsRest.Abstractions.Tests;

/// <summary>
/// Builds the frames of the "Example exchange" in docs/protocol.md with the real codecs. Each method
/// returns one whole WebSocket message (here: exactly one frame).
/// </summary>
internal static class GoldenVectors
{
    public static readonly byte[] ExampleConnectionId =
        [0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88, 0x99, 0xAA, 0xBB, 0xCC, 0xDD, 0xEE, 0xFF];

    public static HelloFrame Hello => new(
        WsRestProtocol.Version,
        new PeerSettings(),
        [new KeyValuePair<string, string>("tenant", "acme")],
        PreviousConnectionId: null);

    public static WelcomeFrame Welcome => new(
        WsRestProtocol.Version,
        ExampleConnectionId,
        new PeerSettings { HeartbeatIntervalMs = 15000 });

    public static byte[] HelloMessage() => Frame(FrameType.Hello, FrameFlags.None, 0, Hello.Write);

    public static byte[] WelcomeMessage() => Frame(FrameType.Welcome, FrameFlags.None, 0, Welcome.Write);

    public static byte[] ReadyMessage() => Frame(FrameType.Ready, FrameFlags.None, 0, static _ => { });

    public static byte[] GetPetRequestMessage() => Frame(FrameType.Request, FrameFlags.EndStream, 1, static payload =>
    {
        RequestHead.WriteStart(payload, "GET", "/pets/1");
        HeaderCodec.WriteHeader(payload, "accept", "application/json");
        HeaderCodec.WriteEnd(payload);
    });

    public static byte[] GetPetResponseMessage() => Frame(FrameType.Response, FrameFlags.EndStream, 1, static payload =>
    {
        ResponseHead.WriteStart(payload, 200);
        HeaderCodec.WriteHeader(payload, "content-type", "application/json; charset=utf-8");
        HeaderCodec.WriteEnd(payload);
        payload.Write(Encoding.UTF8.GetBytes("{\"id\":1}"));
    });

    public static byte[] DataMessage() => Frame(FrameType.Data, FrameFlags.EndStream, 3, static payload => payload.Write("abc"u8));

    public static byte[] ConnectionWindowMessage() => Bytes.Write(static writer => ControlFrames.WriteWindow(writer, 0, 524288));

    public static byte[] CancelMessage() => Bytes.Write(static writer => ControlFrames.WriteCancel(writer, 3, WsRestErrorCode.Cancel));

    public static byte[] GoAwayMessage() => Bytes.Write(static writer => ControlFrames.WriteGoAway(writer, 1, WsRestErrorCode.GoingAway, "bye"));

    public static byte[] ErrorMessage() => Bytes.Write(static writer => ControlFrames.WriteError(writer, WsRestErrorCode.ProtocolError, "bad"));

    private static byte[] Frame(FrameType type, FrameFlags flags, ulong streamId, Action<IBufferWriter<byte>> writePayload)
    {
        var payload = new ArrayBufferWriter<byte>();
        writePayload(payload);
        var message = new ArrayBufferWriter<byte>();
        FrameCodec.WriteFrame(message, type, flags, streamId, payload.WrittenSpan);
        return message.WrittenSpan.ToArray();
    }
}
