using System.Buffers;
using System.Buffers.Binary;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace WsRest.Protocol.Json;

/// <summary>
/// Encodes one binary frame (type, flags, stream id, payload) as its <c>wsrest.v1.json</c> object
/// (docs/protocol.md §13.4), reading the payload with the binary codecs. Member order and defaults
/// follow the spec's examples: <c>t</c> first (omitted for REQUEST and RESPONSE), members equal to
/// their default omitted. Not thread-safe: one instance per writing loop or handshake step.
/// </summary>
internal sealed class JsonFrameEncoder
{
    // Relaxed: non-ASCII text and '+' / '<' stay readable in a browser's network tab; a WebSocket
    // message is never embedded in HTML, which is what the default encoder guards against.
    private static readonly JsonWriterOptions WriterOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private Utf8JsonWriter? _writer;

    public void Write(IBufferWriter<byte> output, FrameType type, FrameFlags flags, ulong streamId, ReadOnlySpan<byte> payload)
    {
        var writer = Start(output);
        switch (type)
        {
            case FrameType.Request:
                WriteRequest(writer, streamId, flags, payload);
                break;
            case FrameType.Response:
                WriteResponse(writer, streamId, flags, payload);
                break;
            case FrameType.Data:
                WriteType(writer, JsonFrameKind.Data);
                writer.WriteNumber("uid"u8, streamId);
                JsonBody.Write(writer, payload, contentType: null);
                if ((flags & FrameFlags.EndStream) != 0)
                {
                    writer.WriteBoolean("e"u8, true);
                }

                break;
            case FrameType.Window:
                WriteWindow(writer, streamId, ControlFrames.ReadWindow(payload));
                break;
            case FrameType.Cancel:
                WriteCancel(writer, streamId, ControlFrames.ReadCancel(payload));
                break;
            case FrameType.GoAway:
                var (last, goAwayCode, goAwayReason) = ControlFrames.ReadGoAway(payload);
                WriteType(writer, JsonFrameKind.GoAway);
                writer.WriteNumber("last"u8, last);
                writer.WriteNumber("code"u8, (int)goAwayCode);
                WriteReason(writer, goAwayReason);
                break;
            case FrameType.Error:
                var (errorCode, errorReason) = ControlFrames.ReadError(payload);
                WriteType(writer, JsonFrameKind.Error);
                writer.WriteNumber("code"u8, (int)errorCode);
                WriteReason(writer, errorReason);
                break;
            case FrameType.Ping or FrameType.Pong:
                WritePing(writer, type, ControlFrames.ReadPing(payload));
                break;
            case FrameType.Subscribe:
                var (topic, from, subscribedEpoch) = PubSubFrames.ReadSubscribeWithEpoch(payload);
                WriteType(writer, JsonFrameKind.Subscribe);
                writer.WriteNumber("uid"u8, streamId);
                writer.WriteString("topic"u8, topic);
                WriteNonZero(writer, "from"u8, from);
                WriteNonZero(writer, "epoch"u8, subscribedEpoch);
                break;
            case FrameType.Unsubscribe:
                WriteType(writer, JsonFrameKind.Unsubscribe);
                writer.WriteNumber("uid"u8, streamId);
                break;
            case FrameType.Ack:
                var (kind, sequence, ackReason) = PubSubFrames.ReadAck(payload);
                WriteType(writer, JsonFrameKind.Ack);
                writer.WriteNumber("uid"u8, streamId);
                writer.WriteString("k"u8, JsonNames.AckKind(kind));
                WriteNonZero(writer, "seq"u8, sequence);
                WriteReason(writer, ackReason);
                break;
            case FrameType.Event:
                WriteEvent(writer, streamId, flags, payload);
                break;
            case FrameType.Hello:
                WriteHello(writer, HelloFrame.Read(payload, int.MaxValue));
                break;
            case FrameType.Welcome:
                var welcome = WelcomeFrame.Read(payload);
                WriteType(writer, JsonFrameKind.Welcome);
                writer.WriteNumber("v"u8, welcome.Version);
                writer.WriteString("id"u8, Convert.ToHexStringLower(welcome.ConnectionId));
                WriteSettings(writer, welcome.Settings);
                break;
            case FrameType.Ready:
                WriteType(writer, JsonFrameKind.Ready);
                break;
            default:
                throw new InvalidOperationException($"Frame type 0x{(byte)type:X2} has no JSON encoding.");
        }

        End(writer);
    }

    public void WriteWindow(IBufferWriter<byte> output, ulong streamId, int increment)
    {
        var writer = Start(output);
        WriteWindow(writer, streamId, increment);
        End(writer);
    }

    public void WriteCancel(IBufferWriter<byte> output, ulong streamId, WsRestErrorCode code)
    {
        var writer = Start(output);
        WriteCancel(writer, streamId, code);
        End(writer);
    }

    public void WritePing(IBufferWriter<byte> output, FrameType type, long opaque)
    {
        var writer = Start(output);
        WritePing(writer, type, opaque);
        End(writer);
    }

    private Utf8JsonWriter Start(IBufferWriter<byte> output)
    {
        var writer = _writer ??= new Utf8JsonWriter(output, WriterOptions);
        writer.Reset(output);
        writer.WriteStartObject();
        return writer;
    }

    private static void End(Utf8JsonWriter writer)
    {
        writer.WriteEndObject();
        writer.Flush();
    }

    private static void WriteType(Utf8JsonWriter writer, ReadOnlySpan<byte> kind) => writer.WriteString("t"u8, kind);

    private static void WriteWindow(Utf8JsonWriter writer, ulong streamId, int increment)
    {
        WriteType(writer, JsonFrameKind.Window);
        if (streamId != 0)
        {
            writer.WriteNumber("uid"u8, streamId);
        }

        writer.WriteNumber("n"u8, increment);
    }

    private static void WriteCancel(Utf8JsonWriter writer, ulong streamId, WsRestErrorCode code)
    {
        WriteType(writer, JsonFrameKind.Cancel);
        writer.WriteNumber("uid"u8, streamId);
        writer.WriteNumber("code"u8, (int)code);
    }

    private static void WritePing(Utf8JsonWriter writer, FrameType type, long opaque)
    {
        Span<byte> bytes = stackalloc byte[8];
        BinaryPrimitives.WriteInt64BigEndian(bytes, opaque);
        WriteType(writer, type == FrameType.Ping ? JsonFrameKind.Ping : JsonFrameKind.Pong);
        writer.WriteString("p"u8, Convert.ToHexStringLower(bytes));
    }

    private static void WriteRequest(Utf8JsonWriter writer, ulong streamId, FrameFlags flags, ReadOnlySpan<byte> payload)
    {
        var head = new RequestHead();
        var body = head.Read(payload, int.MaxValue);
        writer.WriteNumber("uid"u8, streamId);
        writer.WriteString("m"u8, head.Method);
        writer.WriteString("r"u8, head.PathAndQuery);
        WriteHeadRest(writer, head.Headers, body, flags);
    }

    private static void WriteResponse(Utf8JsonWriter writer, ulong streamId, FrameFlags flags, ReadOnlySpan<byte> payload)
    {
        var head = new ResponseHead();
        var body = head.Read(payload, int.MaxValue);
        writer.WriteNumber("uid"u8, streamId);
        writer.WriteNumber("c"u8, head.StatusCode);
        WriteHeadRest(writer, head.Headers, body, flags);
    }

    private static void WriteHeadRest(Utf8JsonWriter writer, List<KeyValuePair<string, string>> headers, ReadOnlySpan<byte> body, FrameFlags flags)
    {
        string? contentType = null;
        if (headers.Count > 0)
        {
            WritePairs(writer, "h"u8, headers);
            foreach (var (name, value) in headers)
            {
                if (string.Equals(name, "content-type", StringComparison.OrdinalIgnoreCase))
                {
                    contentType = value;
                    break;
                }
            }
        }

        // No content type: "anything else" (§13.3), base64 unless the body is empty.
        JsonBody.Write(writer, body, contentType ?? string.Empty);
        if ((flags & FrameFlags.EndStream) == 0)
        {
            writer.WriteBoolean("e"u8, false);
        }
    }

    private static void WriteEvent(Utf8JsonWriter writer, ulong streamId, FrameFlags flags, ReadOnlySpan<byte> payload)
    {
        if ((flags & PubSubFrames.Publish) != 0)
        {
            var data = PubSubFrames.ReadPublish(payload, out var topic, out var publishType);
            WriteType(writer, JsonFrameKind.Publish);
            writer.WriteNumber("uid"u8, streamId);
            writer.WriteString("topic"u8, topic);
            WriteEventData(writer, publishType, data);
        }
        else if ((flags & PubSubFrames.Epoch) != 0)
        {
            WriteType(writer, JsonFrameKind.Epoch);
            writer.WriteNumber("uid"u8, streamId);
            writer.WriteNumber("epoch"u8, PubSubFrames.ReadEpoch(payload));
        }
        else if ((flags & PubSubFrames.Gap) != 0)
        {
            var (from, to) = PubSubFrames.ReadGap(payload);
            WriteType(writer, JsonFrameKind.Gap);
            writer.WriteNumber("uid"u8, streamId);
            writer.WriteNumber("from"u8, from);
            writer.WriteNumber("to"u8, to);
        }
        else
        {
            var data = PubSubFrames.ReadDelivery(payload, out var sequence, out var contentType);
            WriteType(writer, JsonFrameKind.Event);
            writer.WriteNumber("uid"u8, streamId);
            writer.WriteNumber("seq"u8, sequence);
            WriteEventData(writer, contentType, data);
        }
    }

    private static void WriteEventData(Utf8JsonWriter writer, string contentType, ReadOnlySpan<byte> data)
    {
        if (contentType.Length > 0)
        {
            writer.WriteString("ct"u8, contentType);
        }

        JsonBody.Write(writer, data, contentType);
    }

    private static void WriteHello(Utf8JsonWriter writer, HelloFrame hello)
    {
        WriteType(writer, JsonFrameKind.Hello);
        writer.WriteNumber("v"u8, hello.Version);
        WriteSettings(writer, hello.Settings);
        if (hello.Metadata.Count > 0)
        {
            WritePairs(writer, "md"u8, hello.Metadata);
        }

        if (hello.PreviousConnectionId is { } previous)
        {
            writer.WriteString("prev"u8, Convert.ToHexStringLower(previous));
        }
    }

    /// <summary>Every setting the peer announces (§13.4 <c>s</c>), <c>ps</c> only when on, as in §4.3.</summary>
    private static void WriteSettings(Utf8JsonWriter writer, PeerSettings settings)
    {
        writer.WriteStartObject("s"u8);
        writer.WriteNumber("mcs"u8, settings.MaxConcurrentStreams);
        writer.WriteNumber("isw"u8, settings.InitialStreamWindow);
        writer.WriteNumber("icw"u8, settings.InitialConnectionWindow);
        writer.WriteNumber("mms"u8, settings.MaxMessageSize);
        writer.WriteNumber("mhl"u8, settings.MaxHeaderListSize);
        writer.WriteNumber("hb"u8, settings.HeartbeatIntervalMs);
        if (settings.PubSub != 0)
        {
            writer.WriteNumber("ps"u8, settings.PubSub);
        }

        writer.WriteEndObject();
    }

    private static void WritePairs(Utf8JsonWriter writer, ReadOnlySpan<byte> name, IReadOnlyList<KeyValuePair<string, string>> pairs)
    {
        writer.WriteStartArray(name);
        foreach (var (key, value) in pairs)
        {
            writer.WriteStartArray();
            writer.WriteStringValue(key);
            writer.WriteStringValue(value);
            writer.WriteEndArray();
        }

        writer.WriteEndArray();
    }

    private static void WriteReason(Utf8JsonWriter writer, string reason)
    {
        if (reason.Length > 0)
        {
            writer.WriteString("reason"u8, reason);
        }
    }

    private static void WriteNonZero(Utf8JsonWriter writer, ReadOnlySpan<byte> name, long value)
    {
        if (value != 0)
        {
            writer.WriteNumber(name, value);
        }
    }
}
