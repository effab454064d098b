using System.Buffers;
using System.Diagnostics;
using System.Diagnostics.CodeAnalysis;
using System.Net.WebSockets;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text;
using WsRest.Engine;
using WsRest.Protocol;

namespace WsRest.Abstractions.Tests.Fuzz;

/// <summary>The decoder a fuzz input was in when something happened (counters and failure signatures).</summary>
public enum FuzzStep
{
    /// <summary>FrameCodec.TryReadFrame over the message, as the read loop does.</summary>
    Envelope,

    /// <summary>HelloFrame.Read, including PeerSettings.</summary>
    Hello,

    /// <summary>WelcomeFrame.Read, including PeerSettings.</summary>
    Welcome,

    /// <summary>RequestHead.Read with the header block.</summary>
    Request,

    /// <summary>ResponseHead.Read with the header block.</summary>
    Response,

    /// <summary>ControlFrames.ReadWindow.</summary>
    Window,

    /// <summary>ControlFrames.ReadCancel.</summary>
    Cancel,

    /// <summary>ControlFrames.ReadGoAway.</summary>
    GoAway,

    /// <summary>ControlFrames.ReadError.</summary>
    Error,

    /// <summary>ControlFrames.ReadPing (PING and PONG).</summary>
    Ping,

    /// <summary>PubSubFrames.ReadSubscribe.</summary>
    Subscribe,

    /// <summary>PubSubFrames.ReadAck.</summary>
    Ack,

    /// <summary>PubSubFrames.ReadDelivery (EVENT without flags).</summary>
    Delivery,

    /// <summary>PubSubFrames.ReadGap (EVENT with the gap flag).</summary>
    Gap,

    /// <summary>PubSubFrames.ReadPublish (EVENT with the publish flag).</summary>
    Publish,

    /// <summary>HandshakeChannel.ReceiveAsync over a fake WebSocket (the handshake's message checks).</summary>
    Handshake,
}

/// <summary>A property of the decoders that must hold for every input but did not.</summary>
internal sealed class FuzzInvariantException(string invariant, string detail) : Exception($"invariant '{invariant}' violated: {detail}")
{
    public string Invariant { get; } = invariant;
}

/// <summary>An extra check run on every input; tests use it to prove that failures are caught and reported.</summary>
/// <param name="input">The whole input.</param>
public delegate void FuzzInputCheck(ReadOnlySpan<byte> input);

/// <summary>
/// Feeds one input to the codecs and checks their contract: every failure is a
/// <see cref="WsRestProtocolException"/>, and every accepted frame satisfies its invariants (bounds,
/// limits, and a canonical re-encoding that decodes to the same values). A method that returns
/// normally found nothing; any exception that escapes <see cref="Run"/> is a finding. Not thread-safe:
/// one instance per worker.
/// </summary>
internal sealed class FuzzTarget
{
    /// <summary>The server's default HELLO metadata limit (WsRestServerOptions.MaxMetadataSize).</summary>
    public const int MetadataLimit = 4096;

    /// <summary>The default MaxHeaderListSize (docs/protocol.md §4.3).</summary>
    public const int HeaderLimit = 64 * 1024;

    private static readonly int s_stepCount = Enum.GetValues<FuzzStep>().Length;
    private static readonly string[] s_stepNames = Enum.GetNames<FuzzStep>();

    private readonly ArrayBufferWriter<byte> _writer = new(256);
    private readonly ArrayBufferWriter<byte> _writer2 = new(256);

    public FuzzStep Step { get; private set; }

    /// <summary>Inputs (or frames) each decoder accepted.</summary>
    public long[] Accepted { get; } = new long[s_stepCount];

    /// <summary>Inputs (or frames) each decoder rejected with a <see cref="WsRestProtocolException"/>.</summary>
    public long[] Rejected { get; } = new long[s_stepCount];

    /// <summary>Distinct rejection reasons (step and message with numbers and quoted text blanked), with counts.</summary>
    public Dictionary<string, long> Reasons { get; } = new(StringComparer.Ordinal);

    /// <summary>Seed check: any rejection is a failure too.</summary>
    public bool Strict { get; init; }

    public FuzzInputCheck? ExtraCheck { get; init; }

    /// <summary>Runs every check on <paramref name="input"/>; throws on a finding.</summary>
    public void Run(byte[] input)
    {
        Step = FuzzStep.Envelope;
        ExtraCheck?.Invoke(input);
        ReadFrames(input);
        ReceiveHandshake(input);
    }

    /// <summary>A short, stable name of a finding: where, and what (exception type and throwing method, or invariant).</summary>
    public static string Signature(FuzzStep step, Exception exception) => exception switch
    {
        FuzzInvariantException invariant => $"{step}: invariant '{invariant.Invariant}'",
        WsRestProtocolException protocol => $"{step}: rejected ({protocol.ErrorCode}) {Normalize(protocol.Message)}",
        _ => $"{step}: {exception.GetType().FullName} at {ThrowingMethod(exception)}",
    };

    // ---- The read loop's view: frames back to back until the message is used up (§3.1). ----

    private void ReadFrames(ReadOnlySpan<byte> message)
    {
        while (!message.IsEmpty)
        {
            Step = FuzzStep.Envelope;
            if (!FrameCodec.TryReadFrame(message, out var frame, out var consumed))
            {
                Check(consumed == 0, "failed-read-consumes-nothing", $"consumed {consumed}");
                Rejected[(int)FuzzStep.Envelope]++;
                if (Strict)
                {
                    throw new FuzzInvariantException("seed-envelope", "a seed message does not parse");
                }

                return;
            }

            Accepted[(int)FuzzStep.Envelope]++;
            CheckEnvelope(message, frame, consumed);
            DecodePayload(frame);
            message = message[consumed..];
        }
    }

    private void CheckEnvelope(ReadOnlySpan<byte> message, in Frame frame, int consumed)
    {
        Check(consumed >= 4 && consumed <= message.Length, "consumed-within-input", $"consumed {consumed} of {message.Length}");
        var payload = frame.Payload;
        Check(payload.Length <= consumed - 4, "payload-within-frame", $"payload {payload.Length}, frame {consumed}");
        Check(
            Unsafe.AreSame(ref MemoryMarshal.GetReference(payload), ref Unsafe.Add(ref MemoryMarshal.GetReference(message), consumed - payload.Length)),
            "payload-is-frame-tail",
            "the payload is not the last bytes of the frame");
        Check(frame.Type == (FrameType)message[0] && (byte)frame.Flags == message[1], "type-and-flags-passed-through", $"{frame.Type}/{frame.Flags}");

        // The envelope fields as §3.1 lays them out.
        Check(VarInt.TryRead(message[2..], out var streamId, out var idLength), "stream-id-readable", "the stream id varint did not read");
        Check(VarInt.TryRead(message[(2 + idLength)..], out var length, out var lengthLength), "length-readable", "the length varint did not read");
        Check(
            streamId == frame.StreamId && length == (ulong)payload.Length && 2 + idLength + lengthLength + payload.Length == consumed,
            "envelope-layout",
            $"stream {frame.StreamId} vs {streamId}, payload {payload.Length} vs {length}, consumed {consumed}");

        // One byte less is a truncated frame, never a different frame.
        Check(!FrameCodec.TryReadFrame(message[..(consumed - 1)], out _, out var shorter) && shorter == 0, "truncation-detected", "a frame minus its last byte still parsed");

        // Canonical re-encoding: shortest varints, same values.
        Span<byte> header = stackalloc byte[FrameCodec.MaxHeaderLength];
        var headerLength = FrameCodec.WriteHeader(header, frame.Type, frame.Flags, frame.StreamId, payload.Length);
        Check(
            headerLength == FrameCodec.GetHeaderLength(frame.StreamId, payload.Length) && headerLength <= consumed - payload.Length,
            "canonical-envelope-shortest",
            $"re-encoded header {headerLength} bytes, original {consumed - payload.Length}");
        var reencoded = new byte[headerLength + payload.Length];
        header[..headerLength].CopyTo(reencoded);
        payload.CopyTo(reencoded.AsSpan(headerLength));
        Check(FrameCodec.TryReadFrame(reencoded, out var again, out var againConsumed), "envelope-round-trip", "the re-encoded frame does not parse");
        Check(
            againConsumed == reencoded.Length && again.Type == frame.Type && again.Flags == frame.Flags && again.StreamId == frame.StreamId
                && again.Payload.SequenceEqual(payload),
            "envelope-round-trip",
            "the re-encoded frame decodes to other values");
    }

    private void DecodePayload(in Frame frame)
    {
        var payload = frame.Payload;
        switch (frame.Type)
        {
            case FrameType.Hello:
                DecodeHello(payload);
                break;
            case FrameType.Welcome:
                DecodeWelcome(payload);
                break;
            case FrameType.Request:
                DecodeRequest(payload);
                break;
            case FrameType.Response:
                DecodeResponse(payload);
                break;
            case FrameType.Window:
                DecodeWindow(frame.StreamId, payload);
                break;
            case FrameType.Cancel:
                DecodeCancel(frame.StreamId, payload);
                break;
            case FrameType.GoAway:
                DecodeGoAway(payload);
                break;
            case FrameType.Error:
                DecodeError(payload);
                break;
            case FrameType.Ping or FrameType.Pong:
                DecodePing(frame.Type, payload);
                break;
            case FrameType.Subscribe:
                DecodeSubscribe(payload);
                break;
            case FrameType.Ack:
                DecodeAck(payload);
                break;
            case FrameType.Event when (frame.Flags & PubSubFrames.Publish) != 0:
                DecodePublish(payload);
                break;
            case FrameType.Event when (frame.Flags & PubSubFrames.Gap) != 0:
                DecodeGap(payload);
                break;
            case FrameType.Event:
                DecodeDelivery(payload);
                break;
            default:
                // READY, DATA, UNSUBSCRIBE: no payload decoder (bytes or nothing); unknown types: the read loop rejects the type.
                break;
        }
    }

    // ---- Handshake frames (§4) ----

    private void DecodeHello(ReadOnlySpan<byte> payload)
    {
        Step = FuzzStep.Hello;
        HelloFrame hello;
        try
        {
            hello = HelloFrame.Read(payload, MetadataLimit);
        }
        catch (WsRestProtocolException ex)
        {
            OnRejected(ex);
            return;
        }

        OnAccepted();
        CheckSettings(hello.Settings);
        Check(hello.Version >= 0, "hello-version", $"{hello.Version}");
        Check(hello.PreviousConnectionId is null or { Length: HelloFrame.ConnectionIdLength }, "hello-previous-id", $"{hello.PreviousConnectionId?.Length}");
        var metadataBytes = 0;
        foreach (var (key, value) in hello.Metadata)
        {
            metadataBytes += EncodedLength(key) + EncodedLength(value);
        }

        Check(metadataBytes <= MetadataLimit, "hello-metadata-within-limit", $"{metadataBytes} bytes of metadata accepted with a limit of {MetadataLimit}");

        // Round trip, and the re-encoding is a fixed point.
        var first = Encode(_writer, hello.Write);
        var again = HelloFrame.Read(first, MetadataLimit);
        Check(
            again.Version == hello.Version && again.Settings == hello.Settings && again.Metadata.SequenceEqual(hello.Metadata)
                && SameBytes(again.PreviousConnectionId, hello.PreviousConnectionId),
            "hello-round-trip",
            "the re-encoded HELLO decodes to other values");
        Check(Encode(_writer2, again.Write).SequenceEqual(first), "hello-canonical", "re-encoding the re-decoded HELLO changed its bytes");

        // The metadata limit is exact: the canonical size passes, one byte less does not (§4.1).
        if (metadataBytes > 0)
        {
            HelloFrame.Read(first, metadataBytes);
            try
            {
                HelloFrame.Read(first, metadataBytes - 1);
                throw new FuzzInvariantException("hello-metadata-limit-enforced", $"{metadataBytes} bytes of metadata passed a limit of {metadataBytes - 1}");
            }
            catch (WsRestProtocolException ex) when (ex.ErrorCode == WsRestErrorCode.MessageTooLarge)
            {
                // Expected.
            }
        }
    }

    private void DecodeWelcome(ReadOnlySpan<byte> payload)
    {
        Step = FuzzStep.Welcome;
        WelcomeFrame welcome;
        try
        {
            welcome = WelcomeFrame.Read(payload);
        }
        catch (WsRestProtocolException ex)
        {
            OnRejected(ex);
            return;
        }

        OnAccepted();
        CheckSettings(welcome.Settings);
        Check(welcome.Version >= 0 && welcome.ConnectionId.Length == HelloFrame.ConnectionIdLength, "welcome-fields", $"version {welcome.Version}, id {welcome.ConnectionId.Length} bytes");
        var first = Encode(_writer, welcome.Write);
        var again = WelcomeFrame.Read(first);
        Check(
            again.Version == welcome.Version && again.Settings == welcome.Settings && again.ConnectionId.AsSpan().SequenceEqual(welcome.ConnectionId),
            "welcome-round-trip",
            "the re-encoded WELCOME decodes to other values");
        Check(Encode(_writer2, again.Write).SequenceEqual(first), "welcome-canonical", "re-encoding the re-decoded WELCOME changed its bytes");
    }

    private static void CheckSettings(PeerSettings settings)
    {
        Check(settings.MaxMessageSize >= PeerSettings.MinMessageSize, "settings-min-message-size", $"{settings.MaxMessageSize}");
        Check(settings.InitialStreamWindow >= 1 && settings.InitialConnectionWindow >= 1, "settings-windows", $"{settings.InitialStreamWindow}/{settings.InitialConnectionWindow}");
        Check(
            settings.MaxConcurrentStreams >= 0 && settings.MaxHeaderListSize >= 0 && settings.HeartbeatIntervalMs >= 0 && settings.PubSub >= 0,
            "settings-non-negative",
            settings.ToString());
    }

    // ---- Heads (§5) ----

    private void DecodeRequest(ReadOnlySpan<byte> payload)
    {
        Step = FuzzStep.Request;
        var full = ReadRequest(payload, HeaderLimit);

        // A small limit exercises the "over the limit: skip the rest undecoded" path (§5.2, §12).
        if (!Strict && (full is not null || (payload.Length & 1) == 0))
        {
            var limit = SmallLimit(payload);
            var small = ReadRequest(payload, limit);
            if (full is not null)
            {
                Check(small is not null, "request-smaller-limit-accepts", $"accepted with {HeaderLimit}, rejected with {limit}");
                Check(
                    small!.Headers.Count <= full.Headers.Count && small.Headers.SequenceEqual(full.Headers.Take(small.Headers.Count))
                        && (!full.HeadersTooLarge || small.HeadersTooLarge),
                    "request-limit-monotonic",
                    $"limit {limit}: {small.Headers.Count} headers, too large {small.HeadersTooLarge}; limit {HeaderLimit}: {full.Headers.Count}, {full.HeadersTooLarge}");
            }
        }
    }

    private RequestHead? ReadRequest(ReadOnlySpan<byte> payload, int limit)
    {
        var head = new RequestHead();
        ReadOnlySpan<byte> body;
        try
        {
            body = head.Read(payload, limit);
        }
        catch (WsRestProtocolException ex)
        {
            OnRejected(ex);
            return null;
        }

        OnAccepted();
        CheckTail(payload, body, "request-body-is-payload-tail");
        Check(HeaderCodec.IsToken(head.Method), "request-method-token", head.Method);
        Check(head.PathAndQuery.Length > 0 && (head.PathAndQuery[0] == '/' || head.PathAndQuery == "*"), "request-target-form", head.PathAndQuery);
        CheckHeaders(head.Headers);
        if (head.HeadersTooLarge)
        {
            return head;
        }

        var first = Encode(_writer, head, body, static (writer, h, b) =>
        {
            RequestHead.WriteStart(writer, h.Method, h.PathAndQuery);
            WriteHeaders(writer, h.Headers);
            writer.Write(b);
        });
        var again = new RequestHead();
        var againBody = again.Read(first, limit);
        Check(
            !again.HeadersTooLarge && again.Method == head.Method && again.PathAndQuery == head.PathAndQuery
                && SameHeaders(again.Headers, head.Headers) && againBody.SequenceEqual(body),
            "request-round-trip",
            "the re-encoded REQUEST head decodes to other values");
        var second = Encode(_writer2, again, againBody, static (writer, h, b) =>
        {
            RequestHead.WriteStart(writer, h.Method, h.PathAndQuery);
            WriteHeaders(writer, h.Headers);
            writer.Write(b);
        });
        Check(second.SequenceEqual(first), "request-canonical", "re-encoding the re-decoded REQUEST changed its bytes");
        if (limit == HeaderLimit && !Strict)
        {
            CheckRequestLimitBoundary(head, first);
        }

        return head;
    }

    /// <summary>
    /// §5.2 and §12: a head's size is the UTF-8 bytes of the target, of a literal method, and of every
    /// header name and value. On the canonical encoding, a head of exactly MaxHeaderListSize passes and
    /// one byte less refuses it (HeadersTooLarge).
    /// </summary>
    private static void CheckRequestLimitBoundary(RequestHead head, byte[] canonical)
    {
        var targetBytes = Encoding.UTF8.GetByteCount(head.PathAndQuery);
        var headerBytes = HeaderBytes(head.Headers);
        var methodBytes = MethodCodec.GetCode(head.Method) == MethodCodec.Literal ? Encoding.UTF8.GetByteCount(head.Method) : 0;
        var size = targetBytes + headerBytes + methodBytes;
        var atLimit = new RequestHead();
        atLimit.Read(canonical, size);
        Check(!atLimit.HeadersTooLarge, "request-head-limit-exact", $"a {size}-byte head was refused under MaxHeaderListSize {size}");

        var withoutMethod = new RequestHead();
        withoutMethod.Read(canonical, targetBytes + headerBytes - 1);
        Check(
            withoutMethod.HeadersTooLarge,
            "request-target-bytes-counted",
            $"a {targetBytes}-byte target ({head.PathAndQuery.Length} UTF-16 chars) and {headerBytes} bytes of headers were accepted under MaxHeaderListSize {targetBytes + headerBytes - 1}");
        if (methodBytes > 0)
        {
            var over = new RequestHead();
            over.Read(canonical, size - 1);
            Check(
                over.HeadersTooLarge,
                "request-literal-method-counted",
                $"a {methodBytes}-byte literal method, a {targetBytes}-byte target and {headerBytes} bytes of headers were accepted under MaxHeaderListSize {size - 1}");
        }
    }

    private void DecodeResponse(ReadOnlySpan<byte> payload)
    {
        Step = FuzzStep.Response;
        var full = ReadResponse(payload, HeaderLimit);
        if (!Strict && (full is not null || (payload.Length & 1) == 0))
        {
            var limit = SmallLimit(payload);
            var small = ReadResponse(payload, limit);
            if (full is not null)
            {
                Check(small is not null, "response-smaller-limit-accepts", $"accepted with {HeaderLimit}, rejected with {limit}");
                Check(
                    small!.Headers.Count <= full.Headers.Count && small.Headers.SequenceEqual(full.Headers.Take(small.Headers.Count))
                        && (!full.HeadersTooLarge || small.HeadersTooLarge),
                    "response-limit-monotonic",
                    $"limit {limit}: {small.Headers.Count} headers; limit {HeaderLimit}: {full.Headers.Count}");
            }
        }
    }

    private ResponseHead? ReadResponse(ReadOnlySpan<byte> payload, int limit)
    {
        var head = new ResponseHead();
        ReadOnlySpan<byte> body;
        try
        {
            body = head.Read(payload, limit);
        }
        catch (WsRestProtocolException ex)
        {
            OnRejected(ex);
            return null;
        }

        OnAccepted();
        CheckTail(payload, body, "response-body-is-payload-tail");
        Check(head.StatusCode is >= 100 and <= 999, "response-status-range", $"{head.StatusCode}");
        CheckHeaders(head.Headers);
        if (head.HeadersTooLarge)
        {
            return head;
        }

        var first = Encode(_writer, head, body, static (writer, h, b) =>
        {
            ResponseHead.WriteStart(writer, h.StatusCode);
            WriteHeaders(writer, h.Headers);
            writer.Write(b);
        });
        var again = new ResponseHead();
        var againBody = again.Read(first, limit);
        Check(
            !again.HeadersTooLarge && again.StatusCode == head.StatusCode && SameHeaders(again.Headers, head.Headers) && againBody.SequenceEqual(body),
            "response-round-trip",
            "the re-encoded RESPONSE head decodes to other values");
        var second = Encode(_writer2, again, againBody, static (writer, h, b) =>
        {
            ResponseHead.WriteStart(writer, h.StatusCode);
            WriteHeaders(writer, h.Headers);
            writer.Write(b);
        });
        Check(second.SequenceEqual(first), "response-canonical", "re-encoding the re-decoded RESPONSE changed its bytes");
        if (limit == HeaderLimit && !Strict)
        {
            // §5.2: names and values count; a block of exactly the limit passes, one byte more does not.
            var size = HeaderBytes(head.Headers);
            var atLimit = new ResponseHead();
            atLimit.Read(first, size);
            Check(!atLimit.HeadersTooLarge, "response-head-limit-exact", $"a {size}-byte header block was refused under MaxHeaderListSize {size}");
            if (size > 0)
            {
                var over = new ResponseHead();
                over.Read(first, size - 1);
                Check(over.HeadersTooLarge, "response-head-limit-enforced", $"a {size}-byte header block was accepted under MaxHeaderListSize {size - 1}");
            }
        }

        return head;
    }

    private static void CheckHeaders(List<KeyValuePair<string, string>> headers)
    {
        foreach (var (name, value) in headers)
        {
            Check(HeaderCodec.IsValidHeader(name, value), "header-valid", $"'{Escape(name)}: {Escape(value)}'");
        }
    }

    private static int HeaderBytes(List<KeyValuePair<string, string>> headers)
    {
        var total = 0;
        foreach (var (name, value) in headers)
        {
            total += Encoding.UTF8.GetByteCount(name) + Encoding.UTF8.GetByteCount(value);
        }

        return total;
    }

    private static void WriteHeaders(IBufferWriter<byte> writer, List<KeyValuePair<string, string>> headers)
    {
        foreach (var (name, value) in headers)
        {
            HeaderCodec.WriteHeader(writer, name, value);
        }

        HeaderCodec.WriteEnd(writer);
    }

    /// <summary>Names are case-insensitive (a literal "Accept" comes back as table entry "accept"); values are exact.</summary>
    private static bool SameHeaders(List<KeyValuePair<string, string>> a, List<KeyValuePair<string, string>> b)
    {
        if (a.Count != b.Count)
        {
            return false;
        }

        for (var i = 0; i < a.Count; i++)
        {
            if (!string.Equals(a[i].Key, b[i].Key, StringComparison.OrdinalIgnoreCase) || !string.Equals(a[i].Value, b[i].Value, StringComparison.Ordinal))
            {
                return false;
            }
        }

        return true;
    }

    private static int SmallLimit(ReadOnlySpan<byte> payload) => (payload.Length * 37 + (payload.IsEmpty ? 0 : payload[^1])) % 96;

    // ---- Control frames (§6, §7) ----

    private void DecodeWindow(ulong streamId, ReadOnlySpan<byte> payload)
    {
        Step = FuzzStep.Window;
        int increment;
        try
        {
            increment = ControlFrames.ReadWindow(payload);
        }
        catch (WsRestProtocolException ex)
        {
            OnRejected(ex);
            return;
        }

        OnAccepted();
        Check(increment >= 1, "window-increment-range", $"{increment}");
        var (type, id, again) = ReencodedFrame(w => ControlFrames.WriteWindow(w, streamId, increment));
        Check(type == FrameType.Window && id == streamId && ControlFrames.ReadWindow(again) == increment, "window-round-trip", $"{increment}");
    }

    private void DecodeCancel(ulong streamId, ReadOnlySpan<byte> payload)
    {
        Step = FuzzStep.Cancel;
        WsRestErrorCode code;
        try
        {
            code = ControlFrames.ReadCancel(payload);
        }
        catch (WsRestProtocolException ex)
        {
            OnRejected(ex);
            return;
        }

        OnAccepted();
        Check((int)code >= 0, "cancel-code-range", $"{(int)code}");
        var (type, id, again) = ReencodedFrame(w => ControlFrames.WriteCancel(w, streamId, code));
        Check(type == FrameType.Cancel && id == streamId && ControlFrames.ReadCancel(again) == code, "cancel-round-trip", $"{code}");
    }

    private void DecodeGoAway(ReadOnlySpan<byte> payload)
    {
        Step = FuzzStep.GoAway;
        (ulong Last, WsRestErrorCode Code, string Reason) goAway;
        try
        {
            goAway = ControlFrames.ReadGoAway(payload);
        }
        catch (WsRestProtocolException ex)
        {
            OnRejected(ex);
            return;
        }

        OnAccepted();
        Check((int)goAway.Code >= 0 && goAway.Last <= VarInt.MaxValue, "goaway-fields", $"{goAway.Last} {(int)goAway.Code}");
        CheckReason(goAway.Reason);
        var (type, id, again) = ReencodedFrame(w => ControlFrames.WriteGoAway(w, goAway.Last, goAway.Code, goAway.Reason));
        var decoded = ControlFrames.ReadGoAway(again);
        Check(type == FrameType.GoAway && id == 0 && decoded.LastStreamId == goAway.Last && decoded.Code == goAway.Code, "goaway-round-trip", "other values");
        CheckReasonRoundTrip(goAway.Reason, decoded.Reason);
    }

    private void DecodeError(ReadOnlySpan<byte> payload)
    {
        Step = FuzzStep.Error;
        (WsRestErrorCode Code, string Reason) error;
        try
        {
            error = ControlFrames.ReadError(payload);
        }
        catch (WsRestProtocolException ex)
        {
            OnRejected(ex);
            return;
        }

        OnAccepted();
        Check((int)error.Code >= 0, "error-code-range", $"{(int)error.Code}");
        CheckReason(error.Reason);
        var (type, id, again) = ReencodedFrame(w => ControlFrames.WriteError(w, error.Code, error.Reason));
        var decoded = ControlFrames.ReadError(again);
        Check(type == FrameType.Error && id == 0 && decoded.Code == error.Code, "error-round-trip", "other values");
        CheckReasonRoundTrip(error.Reason, decoded.Reason);
    }

    private static void CheckReason(string reason)
        => Check(Encoding.UTF8.GetByteCount(reason) <= ControlFrames.MaxReasonBytes, "reason-within-limit", $"{reason.Length} chars");

    /// <summary>Senders cut reasons at 256 UTF-16 code units, never inside a surrogate pair (§6.3, §12).</summary>
    private static void CheckReasonRoundTrip(string original, string decoded)
    {
        const int cut = ControlFrames.MaxReasonBytes / 4;
        Check(
            original.Length <= cut ? decoded == original : decoded.Length is cut or cut - 1 && original.StartsWith(decoded, StringComparison.Ordinal),
            "reason-round-trip",
            $"{original.Length} chars came back as {decoded.Length}");
    }

    private void DecodePing(FrameType pingType, ReadOnlySpan<byte> payload)
    {
        Step = FuzzStep.Ping;
        long opaque;
        try
        {
            opaque = ControlFrames.ReadPing(payload);
        }
        catch (WsRestProtocolException ex)
        {
            OnRejected(ex);
            return;
        }

        OnAccepted();
        var (type, id, again) = ReencodedFrame(w => ControlFrames.WritePing(w, pingType, opaque));
        Check(type == pingType && id == 0 && again.SequenceEqual(payload), "ping-round-trip", $"{opaque}");
    }

    // ---- Pub/sub frames ----

    private void DecodeSubscribe(ReadOnlySpan<byte> payload)
    {
        Step = FuzzStep.Subscribe;
        (string Topic, long From) subscribe;
        try
        {
            subscribe = PubSubFrames.ReadSubscribe(payload);
        }
        catch (WsRestProtocolException ex)
        {
            OnRejected(ex);
            return;
        }

        OnAccepted();
        Check(WsRestTopic.IsValid(subscribe.Topic) && subscribe.From >= 0, "subscribe-fields", $"'{Escape(subscribe.Topic)}' from {subscribe.From}");
        var again = PubSubFrames.ReadSubscribe(Encode(_writer, w => PubSubFrames.WriteSubscribe(w, subscribe.Topic, subscribe.From)));
        Check(again == subscribe, "subscribe-round-trip", "other values");
    }

    private void DecodeAck(ReadOnlySpan<byte> payload)
    {
        Step = FuzzStep.Ack;
        (AckKind Kind, long Sequence, string Reason) ack;
        try
        {
            ack = PubSubFrames.ReadAck(payload);
        }
        catch (WsRestProtocolException ex)
        {
            OnRejected(ex);
            return;
        }

        OnAccepted();
        Check(ack.Kind is >= AckKind.Subscribed and <= AckKind.Refused && ack.Sequence >= 0, "ack-fields", $"{ack.Kind} {ack.Sequence}");
        CheckReason(ack.Reason);
        var again = PubSubFrames.ReadAck(Encode(_writer, w => PubSubFrames.WriteAck(w, ack.Kind, ack.Sequence, ack.Reason)));
        Check(again == ack, "ack-round-trip", "other values");
    }

    private void DecodeDelivery(ReadOnlySpan<byte> payload)
    {
        Step = FuzzStep.Delivery;
        ReadOnlySpan<byte> data;
        long sequence;
        string contentType;
        try
        {
            data = PubSubFrames.ReadDelivery(payload, out sequence, out contentType);
        }
        catch (WsRestProtocolException ex)
        {
            OnRejected(ex);
            return;
        }

        OnAccepted();
        CheckTail(payload, data, "delivery-data-is-payload-tail");
        Check(sequence >= 1 && Encoding.UTF8.GetByteCount(contentType) <= PubSubFrames.MaxContentTypeBytes, "delivery-fields", $"{sequence}, {contentType.Length} chars");
        _writer.ResetWrittenCount();
        PubSubFrames.WriteDeliveryHead(_writer, sequence, contentType);
        _writer.Write(data);
        var againData = PubSubFrames.ReadDelivery(_writer.WrittenSpan, out var againSequence, out var againType);
        Check(againSequence == sequence && againType == contentType && againData.SequenceEqual(data), "delivery-round-trip", "other values");
    }

    private void DecodeGap(ReadOnlySpan<byte> payload)
    {
        Step = FuzzStep.Gap;
        (long From, long To) gap;
        try
        {
            gap = PubSubFrames.ReadGap(payload);
        }
        catch (WsRestProtocolException ex)
        {
            OnRejected(ex);
            return;
        }

        OnAccepted();
        Check(gap.From >= 1 && gap.To >= gap.From, "gap-range", $"{gap.From}..{gap.To}");
        var again = PubSubFrames.ReadGap(Encode(_writer, w => PubSubFrames.WriteGap(w, gap.From, gap.To)));
        Check(again == gap, "gap-round-trip", "other values");
    }

    private void DecodePublish(ReadOnlySpan<byte> payload)
    {
        Step = FuzzStep.Publish;
        ReadOnlySpan<byte> data;
        string topic;
        string contentType;
        try
        {
            data = PubSubFrames.ReadPublish(payload, out topic, out contentType);
        }
        catch (WsRestProtocolException ex)
        {
            OnRejected(ex);
            return;
        }

        OnAccepted();
        CheckTail(payload, data, "publish-data-is-payload-tail");
        Check(WsRestTopic.IsValid(topic) && Encoding.UTF8.GetByteCount(contentType) <= PubSubFrames.MaxContentTypeBytes, "publish-fields", $"'{Escape(topic)}'");
        _writer.ResetWrittenCount();
        PubSubFrames.WritePublishHead(_writer, topic, contentType);
        _writer.Write(data);
        var againData = PubSubFrames.ReadPublish(_writer.WrittenSpan, out var againTopic, out var againType);
        Check(againTopic == topic && againType == contentType && againData.SequenceEqual(data), "publish-round-trip", "other values");
    }

    // ---- The handshake's message checks (§4): one binary message, exactly one frame, stream 0, size cap ----

    private void ReceiveHandshake(byte[] input)
    {
        Step = FuzzStep.Handshake;
        var variant = input.Length == 0 ? 0 : input.Length ^ input[^1];
        var expected = input.Length > 0 && input[0] is >= 1 and <= 3
            ? (FrameType)input[0]
            : (FrameType)(1 + (variant % 3));
        var maxMessage = Strict ? HandshakeChannel.MaxHandshakeMessage : (variant % 8) switch
        {
            0 => 16,
            1 => 64,
            2 => PeerSettings.MinMessageSize,
            _ => 1024 * 1024,
        };
        var chunk = Strict ? 0 : (variant % 5) switch
        {
            0 => 1,
            1 => 3,
            2 => 64,
            _ => 0,
        };
        var messageType = Strict ? WebSocketMessageType.Binary : (variant % 97) switch
        {
            0 => WebSocketMessageType.Text,
            1 => WebSocketMessageType.Close,
            _ => WebSocketMessageType.Binary,
        };
        if (Strict && input.Length > 0 && input[0] is not (>= 1 and <= 3))
        {
            return;
        }

        using var socket = new FakeWebSocket();
        socket.Reset(input, chunk, messageType);
        byte[] payload;
        try
        {
            var receive = HandshakeChannel.ReceiveAsync(socket, expected, maxMessage, CancellationToken.None);
            Check(receive.IsCompleted, "handshake-synchronous", "the receive did not complete on a socket that never waits");
            payload = receive.GetAwaiter().GetResult();
        }
        catch (WsRestProtocolException ex)
        {
            // ERROR frames pass the peer's own code through, so any code may come back here.
            Rejected[(int)FuzzStep.Handshake]++;
            CountReason(ex);
            if (Strict)
            {
                throw;
            }

            return;
        }

        Accepted[(int)FuzzStep.Handshake]++;
        Check(
            messageType == WebSocketMessageType.Binary && input.Length <= Math.Min(maxMessage, HandshakeChannel.MaxHandshakeMessage),
            "handshake-message-checks",
            $"a {messageType} message of {input.Length} bytes passed a limit of {maxMessage}");
        Check(
            FrameCodec.TryReadFrame(input, out var frame, out var consumed) && consumed == input.Length && frame.Type == expected && frame.StreamId == 0
                && frame.Payload.SequenceEqual(payload),
            "handshake-exactly-one-frame",
            $"expected {expected}");
    }

    // ---- Helpers ----

    private void OnAccepted() => Accepted[(int)Step]++;

    private void OnRejected(WsRestProtocolException exception)
    {
        Rejected[(int)Step]++;
        CountReason(exception);
        if (Strict)
        {
            throw new FuzzInvariantException("seed-rejected", exception.Message);
        }

        var allowed = exception.ErrorCode is WsRestErrorCode.ProtocolError or WsRestErrorCode.MessageTooLarge
            || (exception.ErrorCode == WsRestErrorCode.FlowControlError && Step == FuzzStep.Window);
        Check(allowed, "rejection-code", $"{exception.ErrorCode}: {exception.Message}");
        Check(!string.IsNullOrEmpty(exception.Message), "rejection-message", "an empty message");
    }

    private void CountReason(WsRestProtocolException exception)
    {
        var key = s_stepNames[(int)Step] + ": " + Normalize(exception.Message);
        ref var count = ref CollectionsMarshal.GetValueRefOrAddDefault(Reasons, key, out _);
        count++;
    }

    private static void Check([DoesNotReturnIf(false)] bool condition, string invariant, string detail)
    {
        if (!condition)
        {
            throw new FuzzInvariantException(invariant, detail);
        }
    }

    private static void CheckTail(ReadOnlySpan<byte> payload, ReadOnlySpan<byte> tail, string invariant)
        => Check(
            tail.Length <= payload.Length
                && Unsafe.AreSame(ref MemoryMarshal.GetReference(tail), ref Unsafe.Add(ref MemoryMarshal.GetReference(payload), payload.Length - tail.Length)),
            invariant,
            $"{tail.Length} of {payload.Length} bytes, not the end of the payload");

    private static int EncodedLength(string value)
    {
        var bytes = Encoding.UTF8.GetByteCount(value);
        return VarInt.GetLength((ulong)bytes) + bytes;
    }

    private static bool SameBytes(byte[]? a, byte[]? b) => a is null ? b is null : b is not null && a.AsSpan().SequenceEqual(b);

    private static byte[] Encode(ArrayBufferWriter<byte> writer, Action<IBufferWriter<byte>> write)
    {
        writer.ResetWrittenCount();
        write(writer);
        return writer.WrittenSpan.ToArray();
    }

    private delegate void HeadWriter<THead>(IBufferWriter<byte> writer, THead head, ReadOnlySpan<byte> body);

    private static byte[] Encode<THead>(ArrayBufferWriter<byte> writer, THead head, ReadOnlySpan<byte> body, HeadWriter<THead> write)
    {
        writer.ResetWrittenCount();
        write(writer, head, body);
        return writer.WrittenSpan.ToArray();
    }

    /// <summary>Runs a whole-frame writer and decodes its output: (type, stream id, payload).</summary>
    private (FrameType Type, ulong StreamId, byte[] Payload) ReencodedFrame(Action<IBufferWriter<byte>> write)
    {
        var bytes = Encode(_writer, write);
        Check(FrameCodec.TryReadFrame(bytes, out var frame, out var consumed) && consumed == bytes.Length, "writer-emits-one-frame", Convert.ToHexStringLower(bytes));
        return (frame.Type, frame.StreamId, frame.Payload.ToArray());
    }

    private static string Escape(string value)
    {
        var text = value.Length > 40 ? value[..40] + "..." : value;
        var builder = new StringBuilder(text.Length);
        foreach (var c in text)
        {
            builder.Append(c is < ' ' or > '~' ? $"\\u{(int)c:x4}" : c.ToString());
        }

        return builder.ToString();
    }

    /// <summary>
    /// A message with numbers as '#' and quoted text as '…', so one reason is one key. Messages that
    /// carry peer-chosen text without quotes (an ERROR frame's reason, a topic) are cut before it.
    /// </summary>
    internal static string Normalize(string message)
    {
        foreach (var marker in s_peerTextMarkers)
        {
            var at = message.IndexOf(marker, StringComparison.Ordinal);
            if (at >= 0)
            {
                message = string.Concat(at == 0 ? string.Empty : "…", marker, "…");
                break;
            }
        }

        var builder = new StringBuilder(message.Length);
        var quoted = false;
        for (var i = 0; i < message.Length; i++)
        {
            var c = message[i];
            if (c == '\'')
            {
                quoted = !quoted;
                builder.Append(quoted ? "'…" : "'");
            }
            else if (quoted)
            {
                continue;
            }
            else if (c == '0' && i + 1 < message.Length && message[i + 1] == 'x')
            {
                builder.Append("0x#");
                for (i += 2; i < message.Length && char.IsAsciiHexDigit(message[i]); i++)
                {
                }

                i--;
            }
            else if (char.IsAsciiDigit(c))
            {
                builder.Append('#');
                while (i + 1 < message.Length && char.IsAsciiDigit(message[i + 1]))
                {
                    i++;
                }
            }
            else
            {
                builder.Append(c);
            }
        }

        return builder.ToString();
    }

    private static readonly string[] s_peerTextMarkers = ["The peer rejected the handshake", " is not a valid topic"];

    /// <summary>The first method of the code under test on the exception's stack (not the harness).</summary>
    private static string ThrowingMethod(Exception exception)
    {
        var frames = new StackTrace(exception, fNeedFileInfo: false).GetFrames();
        foreach (var frame in frames)
        {
            var method = frame.GetMethod();
            var ns = method?.DeclaringType?.Namespace;
            if (ns is not null && ns.StartsWith("WsRest", StringComparison.Ordinal) && !ns.StartsWith("WsRest.Abstractions.Tests", StringComparison.Ordinal))
            {
                return $"{method!.DeclaringType!.Name}.{method.Name}";
            }
        }

        var first = frames.Length > 0 ? frames[0].GetMethod() : null;
        return first is null ? "?" : $"{first.DeclaringType?.Name}.{first.Name}";
    }
}
