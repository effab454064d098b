using System.Buffers;
using System.Text;
using WsRest.Protocol;

namespace WsRest.Abstractions.Tests.Fuzz;

/// <summary>
/// The seed corpus: valid WebSocket messages built with the real encoders (docs/protocol.md §3-§6 and
/// the pub/sub frames), covering every frame type, both handshake frames with metadata and settings,
/// REQUEST/RESPONSE heads with static (full and name-only) and literal headers, and batched messages.
/// <see cref="CodecFuzzTests.SeedCorpusDecodesCleanly"/> checks that every seed decodes without any error.
/// </summary>
internal static class FuzzCorpus
{
    private static readonly byte[] s_connectionId =
        [0xF0, 0x0D, 0xCA, 0xFE, 0x01, 0x23, 0x45, 0x67, 0x89, 0xAB, 0xCD, 0xEF, 0x10, 0x32, 0x54, 0x76];

    /// <summary>Each seed is one whole WebSocket message (one or more frames).</summary>
    public static IReadOnlyList<byte[]> Seeds { get; } = Build();

    private static byte[][] Build()
    {
        var seeds = new List<byte[]>
        {
            // The golden vectors of docs/protocol.md §11.
            GoldenVectors.HelloMessage(),
            GoldenVectors.WelcomeMessage(),
            GoldenVectors.ReadyMessage(),
            GoldenVectors.GetPetRequestMessage(),
            GoldenVectors.GetPetResponseMessage(),
            GoldenVectors.DataMessage(),
            GoldenVectors.ConnectionWindowMessage(),
            GoldenVectors.CancelMessage(),
            GoldenVectors.GoAwayMessage(),
            GoldenVectors.ErrorMessage(),
        };

        // HELLO: several metadata pairs (non-ASCII too), a previous connection id, non-default settings with pub/sub.
        var settings = new PeerSettings
        {
            MaxConcurrentStreams = 0,
            InitialStreamWindow = 1,
            InitialConnectionWindow = int.MaxValue,
            MaxMessageSize = PeerSettings.MinMessageSize,
            MaxHeaderListSize = 0,
            HeartbeatIntervalMs = 15000,
            PubSub = 1,
        };
        seeds.Add(Message(FrameType.Hello, 0, new HelloFrame(
            WsRestProtocol.Version,
            settings,
            [Pair("tenant", "acme"), Pair("région", "Zürich ✓ 😀"), Pair(string.Empty, string.Empty), Pair("tenant", "other")],
            s_connectionId).Write));
        seeds.Add(Message(FrameType.Hello, 0, new HelloFrame(7, new PeerSettings(), [], null).Write));
        seeds.Add(Message(FrameType.Hello, 0, new HelloFrame(
            int.MaxValue,
            new PeerSettings { MaxConcurrentStreams = int.MaxValue, MaxMessageSize = int.MaxValue, MaxHeaderListSize = int.MaxValue },
            [Pair("k", new string('v', 200))],
            new byte[16]).Write));

        // HELLO whose settings repeat a key and carry unknown keys (both legal, §4.3), with non-shortest varints.
        seeds.Add(Message(FrameType.Hello, 0, static writer =>
        {
            VarInt.Write(writer, 1);
            VarInt.Write(writer, 5);
            VarInt.Write(writer, PeerSettings.KeyMaxMessageSize);
            VarInt.Write(writer, 4096);
            VarInt.Write(writer, 99);
            VarInt.Write(writer, 12345);
            VarInt.Write(writer, PeerSettings.KeyMaxMessageSize);
            VarInt.Write(writer, 70000);
            writer.Write(new byte[] { 0x40, 0x02, 0x80, 0x00, 0x00, 0x10 }); // key 2 (2 bytes) = 16 (4 bytes)
            VarInt.Write(writer, VarInt.MaxValue);
            VarInt.Write(writer, 0);
            VarInt.Write(writer, 1);
            PayloadWriter.WriteString(writer, "device");
            PayloadWriter.WriteString(writer, "kiosk-7");
            VarInt.Write(writer, 0);
        }));

        // WELCOME: pub/sub on, heartbeat announced.
        seeds.Add(Message(FrameType.Welcome, 0, new WelcomeFrame(WsRestProtocol.Version, s_connectionId, settings with { MaxHeaderListSize = 65536 }).Write));
        seeds.Add(Message(FrameType.Welcome, 0, new WelcomeFrame(0, new byte[16], new PeerSettings()).Write));

        // REQUESTs: standard and literal methods, full and name-only static entries, literal headers
        // (mixed case, not in the table, repeated), "*" target, non-ASCII target, inline bodies, big stream ids.
        seeds.Add(Request(FrameFlags.EndStream, 3, "POST", "/pets?tag=a%20b&limit=10", "{\"name\":\"Rex\"}"u8.ToArray(),
            Pair("content-type", "application/json"), Pair("accept", "*/*"), Pair("x-request-id", "42"), Pair("authorization", "Bearer abc.def")));
        seeds.Add(Request(FrameFlags.None, 5, "PROPFIND", "/dav/", [],
            Pair("Depth", "1"), Pair("X-Custom-Header", "value with spaces\tand tab"), Pair("Accept", "application/json"), Pair("set-cookie", "a=1"), Pair("set-cookie", "b=2")));
        seeds.Add(Request(FrameFlags.EndStream, 7, "OPTIONS", "*", []));
        seeds.Add(Request(FrameFlags.EndStream, 9, "get", "/café/ünïcödé?q=€", [], Pair("accept-language", "de-CH, fr;q=0.9"), Pair("x-content-type-options", "nosniff")));
        seeds.Add(Request(FrameFlags.EndStream, (1UL << 31) + 1, "DELETE", "/pets/1", [], Pair("if-match", "\"etag\""), Pair("cache-control", "no-cache")));
        seeds.Add(Request(FrameFlags.EndStream, VarInt.MaxValue, "PATCH", "/", new byte[40], Pair("content-type", "application/octet-stream"), Pair("content-length", "40")));
        foreach (var method in new[] { "GET", "PUT", "HEAD", "TRACE", "CONNECT" })
        {
            seeds.Add(Request(FrameFlags.EndStream, 11, method, "/m", [], Pair("traceparent", "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01")));
        }

        // RESPONSEs: status range ends, static entries with and without value, literal headers, inline body.
        seeds.Add(Response(FrameFlags.EndStream, 2, 404, [], Pair("content-type", "application/problem+json; charset=utf-8")));
        seeds.Add(Response(FrameFlags.None, 4, 100, []));
        seeds.Add(Response(FrameFlags.EndStream, 6, 999, "body"u8.ToArray(),
            Pair("set-cookie", "a=1; Path=/"), Pair("set-cookie", "b=2"), Pair("location", "/pets/2"), Pair("x-content-type-options", "other"),
            Pair("Server", "WsRest"), Pair("x-trace", "ü"), Pair("vary", string.Empty)));
        seeds.Add(Response(FrameFlags.EndStream, 8, 200, Encoding.UTF8.GetBytes(new string('x', 300)), Pair("content-type", "text/plain; charset=utf-8")));

        // DATA, WINDOW, CANCEL, GOAWAY, ERROR, PING, PONG.
        seeds.Add(Message(FrameType.Data, FrameFlags.EndStream, 3, static _ => { }));
        seeds.Add(Message(FrameType.Data, FrameFlags.None, 64, static writer => writer.Write(Enumerable.Range(0, 100).Select(i => (byte)i).ToArray())));
        seeds.Add(Bytes.Write(static writer => ControlFrames.WriteWindow(writer, 5, 1)));
        seeds.Add(Bytes.Write(static writer => ControlFrames.WriteWindow(writer, 0, int.MaxValue)));
        seeds.Add(Bytes.Write(static writer => ControlFrames.WriteWindow(writer, 16384, 16384)));
        foreach (var code in Enum.GetValues<WsRestErrorCode>())
        {
            seeds.Add(Bytes.Write(writer => ControlFrames.WriteCancel(writer, 1, code)));
        }

        seeds.Add(Bytes.Write(static writer => ControlFrames.WriteCancel(writer, 2, (WsRestErrorCode)1000)));
        seeds.Add(Bytes.Write(static writer => ControlFrames.WriteGoAway(writer, VarInt.MaxValue, WsRestErrorCode.NoError, string.Empty)));
        seeds.Add(Bytes.Write(static writer => ControlFrames.WriteGoAway(writer, 0, WsRestErrorCode.InternalError, "shutting down: ünïcödé 😀")));
        seeds.Add(Bytes.Write(static writer => ControlFrames.WriteError(writer, WsRestErrorCode.MessageTooLarge, new string('r', 256))));
        seeds.Add(Bytes.Write(static writer => ControlFrames.WriteError(writer, (WsRestErrorCode)int.MaxValue, string.Empty)));
        seeds.Add(Bytes.Write(static writer => ControlFrames.WritePing(writer, FrameType.Ping, 0)));
        seeds.Add(Bytes.Write(static writer => ControlFrames.WritePing(writer, FrameType.Ping, long.MinValue)));
        seeds.Add(Bytes.Write(static writer => ControlFrames.WritePing(writer, FrameType.Pong, -1)));

        // Pub/sub: SUBSCRIBE, UNSUBSCRIBE, delivered EVENT, gap EVENT, published EVENT, every ACK kind.
        seeds.Add(Message(FrameType.Subscribe, FrameFlags.None, 1, static writer => PubSubFrames.WriteSubscribe(writer, "pets/created", 0)));
        seeds.Add(Message(FrameType.Subscribe, FrameFlags.None, 3, static writer => PubSubFrames.WriteSubscribe(writer, "a.b_c-d/E/9", long.MaxValue >> 2)));
        seeds.Add(Message(FrameType.Unsubscribe, FrameFlags.None, 1, static _ => { }));
        seeds.Add(Message(FrameType.Event, FrameFlags.None, 1, static writer =>
        {
            PubSubFrames.WriteDeliveryHead(writer, 43, "application/json");
            writer.Write("{\"id\":7}"u8);
        }));
        seeds.Add(Message(FrameType.Event, PubSubFrames.Gap, 1, static writer => PubSubFrames.WriteGap(writer, 44, 50)));
        seeds.Add(Message(FrameType.Event, PubSubFrames.Publish, 3, static writer =>
        {
            PubSubFrames.WritePublishHead(writer, "chat/general", "text/plain");
            writer.Write("hi"u8);
        }));
        foreach (var kind in Enum.GetValues<AckKind>())
        {
            seeds.Add(Message(FrameType.Ack, FrameFlags.None, 5, writer => PubSubFrames.WriteAck(writer, kind, 42, kind == AckKind.Refused ? "no such topic" : string.Empty)));
        }

        // Batched messages (§3.1): several frames of several streams in one message.
        seeds.Add(Concat(
            Request(FrameFlags.None, 13, "PUT", "/upload", "part1"u8.ToArray(), Pair("content-type", "application/octet-stream")),
            Message(FrameType.Data, FrameFlags.None, 13, static writer => writer.Write("part2"u8)),
            Message(FrameType.Data, FrameFlags.EndStream, 13, static _ => { })));
        seeds.Add(Concat(
            Response(FrameFlags.EndStream, 2, 204, []),
            Bytes.Write(static writer => ControlFrames.WriteWindow(writer, 0, 65536)),
            Bytes.Write(static writer => ControlFrames.WriteCancel(writer, 15, WsRestErrorCode.RefusedStream)),
            Bytes.Write(static writer => ControlFrames.WritePing(writer, FrameType.Pong, 42))));
        seeds.Add(Concat(GoldenVectors.GetPetRequestMessage(), GoldenVectors.GetPetResponseMessage(), GoldenVectors.DataMessage()));

        // Types outside the table: the envelope decodes, the read loop rejects them.
        seeds.Add(Message((FrameType)0x00, FrameFlags.None, 0, static _ => { }));
        seeds.Add(Message((FrameType)0x11, (FrameFlags)0xFF, 1, static writer => writer.Write(new byte[] { 1, 2, 3 })));
        return [.. seeds];
    }

    private static KeyValuePair<string, string> Pair(string key, string value) => new(key, value);

    private static byte[] Request(FrameFlags flags, ulong streamId, string method, string pathAndQuery, byte[] body, params KeyValuePair<string, string>[] headers)
        => Message(FrameType.Request, flags, streamId, writer =>
        {
            RequestHead.WriteStart(writer, method, pathAndQuery);
            WriteHeaderBlock(writer, headers);
            writer.Write(body);
        });

    private static byte[] Response(FrameFlags flags, ulong streamId, int status, byte[] body, params KeyValuePair<string, string>[] headers)
        => Message(FrameType.Response, flags, streamId, writer =>
        {
            ResponseHead.WriteStart(writer, status);
            WriteHeaderBlock(writer, headers);
            writer.Write(body);
        });

    private static void WriteHeaderBlock(IBufferWriter<byte> writer, KeyValuePair<string, string>[] headers)
    {
        foreach (var (name, value) in headers)
        {
            HeaderCodec.WriteHeader(writer, name, value);
        }

        HeaderCodec.WriteEnd(writer);
    }

    private static byte[] Message(FrameType type, FrameFlags flags, ulong streamId, Action<IBufferWriter<byte>> writePayload)
    {
        var payload = new ArrayBufferWriter<byte>();
        writePayload(payload);
        var message = new ArrayBufferWriter<byte>();
        FrameCodec.WriteFrame(message, type, flags, streamId, payload.WrittenSpan);
        return message.WrittenSpan.ToArray();
    }

    private static byte[] Message(FrameType type, ulong streamId, Action<IBufferWriter<byte>> writePayload)
        => Message(type, FrameFlags.None, streamId, writePayload);

    private static byte[] Concat(params byte[][] messages) => [.. messages.SelectMany(static m => m)];
}
