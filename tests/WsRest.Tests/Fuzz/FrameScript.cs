using System.Buffers;
using WsRest.Engine;
using WsRest.Protocol;

namespace WsRest.Tests.Fuzz;

/// <summary>
/// Writes the fuzzer's side of a conversation: mostly well-formed frames that follow what it knows of the
/// connection (its own streams, the live peer's streams, subscriptions, credit it owes), with a share of
/// deliberate mistakes — wrong or reused ids, frames after END, windows overflowing or zero, unknown types,
/// oversize messages — so the live peer's state machine is driven everywhere, not only through the happy path.
/// A <paramref name="clean"/> script makes no deliberate mistake, so its sessions reach the states that only a long
/// valid conversation reaches (a mistake ends the connection within a few frames).
/// </summary>
internal sealed class FrameScript(Random random, PeerRole liveRole, PeerSettings liveSettings, bool clean)
{
    private static readonly string[] Topics = ["fuzz/live", "fuzz/a", "fuzz/b", "fuzz/c"];
    private static readonly WsRestErrorCode[] Codes = Enum.GetValues<WsRestErrorCode>();

    private readonly Lock _gate = new();
    private readonly List<ulong> _ownStreams = [];
    private readonly List<ulong> _peerStreams = [];
    private readonly List<ulong> _subscriptions = [];
    private readonly HashSet<ulong> _answered = [];
    private readonly Dictionary<ulong, long> _owedCredit = [];
    private ulong _nextOwnStream = liveRole == PeerRole.Server ? 1UL : 2UL;
    private ulong _nextSubscription = 1;
    private ulong _maxPeerStream;

    /// <summary>Notes a frame the live peer sent, so the next frames can answer it.</summary>
    public void Observe(in Frame frame)
    {
        lock (_gate)
        {
            switch (frame.Type)
            {
                case FrameType.Request when liveRole == PeerRole.Client:
                    _peerStreams.Add(frame.StreamId);
                    _maxPeerStream = Math.Max(_maxPeerStream, frame.StreamId);
                    break;
                case FrameType.Subscribe when liveRole == PeerRole.Client:
                    _subscriptions.Add(frame.StreamId);
                    break;
                case FrameType.Data:
                    _owedCredit[frame.StreamId] = _owedCredit.GetValueOrDefault(frame.StreamId) + frame.Payload.Length;
                    _owedCredit[0] = _owedCredit.GetValueOrDefault(0UL) + frame.Payload.Length;
                    break;
                case FrameType.Cancel:
                    _ownStreams.Remove(frame.StreamId);
                    _peerStreams.Remove(frame.StreamId);
                    break;
            }
        }
    }

    /// <summary>The next WebSocket message: one to four frames, or (rarely) a raw oversize or garbage message.</summary>
    public byte[] NextMessage()
    {
        lock (_gate)
        {
            var writer = new ArrayBufferWriter<byte>();
            if (Mistake(200))
            {
                // Larger than the live peer accepts in one message: the connection must fail cleanly.
                var oversize = new byte[liveSettings.MaxMessageSize + random.Next(1, 64)];
                random.NextBytes(oversize);
                return oversize;
            }

            var frames = random.Next(1, 5);
            for (var i = 0; i < frames; i++)
            {
                WriteFrame(writer);
            }

            return writer.WrittenSpan.ToArray();
        }
    }

    /// <summary>A goodbye the fuzzer may end a session with: GOAWAY naming the last stream it saw.</summary>
    public byte[] GoAway()
    {
        var writer = new ArrayBufferWriter<byte>();
        lock (_gate)
        {
            ControlFrames.WriteGoAway(writer, _maxPeerStream, WsRestErrorCode.NoError, "fuzz session over");
        }

        return writer.WrittenSpan.ToArray();
    }

    private void WriteFrame(ArrayBufferWriter<byte> writer)
    {
        // Credit owed for what the live peer sent comes first, most of the time, so its bodies keep flowing.
        if (_owedCredit.Count > 0 && random.Next(4) != 0)
        {
            var (stream, owed) = _owedCredit.First();
            _owedCredit.Remove(stream);
            ControlFrames.WriteWindow(writer, stream, (int)Math.Clamp(owed, 1, int.MaxValue));
            return;
        }

        var pick = random.Next(100);
        if (liveRole == PeerRole.Server)
        {
            switch (pick)
            {
                case < 30: Request(writer, ClientStreamId()); return;
                case < 45: Data(writer, Any(_ownStreams)); return;
                case < 52: Subscribe(writer); return;
                case < 57: Unsubscribe(writer); return;
                case < 62: Publish(writer); return;
            }
        }
        else
        {
            switch (pick)
            {
                case < 25: Response(writer, Any(clean ? [.. _peerStreams.Where(id => !_answered.Contains(id))] : _peerStreams)); return;
                case < 40: Data(writer, random.Next(3) == 0 ? Any(_ownStreams) : Any(clean ? [.. _peerStreams.Where(_answered.Contains)] : _peerStreams)); return;
                case < 50: Request(writer, ClientStreamId()); return;
                case < 62: PubSubToClient(writer); return;
            }
        }

        switch (pick)
        {
            case < 72:
                var target = random.Next(3) == 0 ? 0 : Any(_ownStreams.Concat(_peerStreams).ToList());
                var increment = Mistake(25) ? (random.Next(2) == 0 ? 0 : int.MaxValue) : random.Next(1, 64 * 1024);

                ControlFrames.WriteWindow(writer, target, increment);
                break;
            case < 84:
                var cancelled = Any(_ownStreams.Concat(_peerStreams).ToList());
                if (cancelled == 0)
                {
                    Ping(writer);
                    break;
                }

                ControlFrames.WriteCancel(writer, cancelled, random.Next(30) == 0 ? (WsRestErrorCode)random.Next(100, 100_000) : Codes[random.Next(Codes.Length)]);
                _ownStreams.Remove(cancelled);
                _peerStreams.Remove(cancelled);
                break;
            case < 92:
                ControlFrames.WritePing(writer, random.Next(10) == 0 ? FrameType.Pong : FrameType.Ping, random.NextInt64());
                break;
            case < 94:
                ControlFrames.WriteGoAway(writer, _maxPeerStream, Codes[random.Next(Codes.Length)], "fuzz");
                break;
            default:
                if (clean)
                {
                    Ping(writer);
                    break;
                }

                // An unknown type, a known type with random bytes, or a frame on a stream id of the wrong kind.
                var junk = new byte[random.Next(0, 64)];
                random.NextBytes(junk);
                var type = random.Next(3) == 0 ? (FrameType)random.Next(0x11, 0x100) : (FrameType)random.Next(1, 0x11);
                FrameCodec.WriteFrame(writer, type, (FrameFlags)random.Next(8), (ulong)random.Next(0, 64), junk);
                break;
        }
    }

    /// <summary>The next stream id the fuzzer may open, or now and then an id that breaks §3.3 (reused, wrong parity, zero, lower).</summary>
    private ulong ClientStreamId()
    {
        if (Mistake(25))
        {
            return random.Next(4) switch
            {
                0 => 0,
                1 => _nextOwnStream + 1,                       // wrong parity
                2 => _ownStreams.Count > 0 ? _ownStreams[0] : 0, // reused
                _ => _nextOwnStream > 4 ? _nextOwnStream - 4 : 0, // lower than the last one
            };
        }

        var id = _nextOwnStream;
        _nextOwnStream += (ulong)(random.Next(8) == 0 ? 4 : 2); // ids may skip (§3.3 allows gaps)
        _ownStreams.Add(id);
        return id;
    }

    private void Request(ArrayBufferWriter<byte> writer, ulong id)
    {
        var method = random.Next(4) switch { 0 => "POST", 1 => "PUT", 2 => "DELETE", _ => "GET" };
        var path = liveRole == PeerRole.Server ? FuzzApplication.Paths[random.Next(FuzzApplication.Paths.Length)] : random.Next(6) == 0 ? "/throw" : "/echo";
        var end = random.Next(3) != 0;
        var body = Body(random.Next(4) == 0 ? 0 : 600);
        Frame(writer, FrameType.Request, end ? FrameFlags.EndStream : FrameFlags.None, id, w =>
        {
            RequestHead.WriteStart(w, method, path);
            for (var i = random.Next(4); i > 0; i--)
            {
                HeaderCodec.WriteHeader(w, $"x-fuzz-{i}", new string('v', random.Next(0, Mistake(50) ? 70_000 : 40)));
            }

            HeaderCodec.WriteEnd(w);
            w.Write(body);
        });
        if (end)
        {
            _ownStreams.Remove(id);
        }
    }

    private void Response(ArrayBufferWriter<byte> writer, ulong id)
    {
        if (id == 0 && clean)
        {
            Ping(writer);
            return;
        }

        _answered.Add(id);
        var end = random.Next(2) == 0;
        var status = random.Next(20) == 0 ? random.Next(100, 1000) : 200;
        var body = Body(300);
        Frame(writer, FrameType.Response, end ? FrameFlags.EndStream : FrameFlags.None, id, w =>
        {
            ResponseHead.WriteStart(w, status);
            HeaderCodec.WriteHeader(w, "content-type", "application/octet-stream");
            HeaderCodec.WriteEnd(w);
            w.Write(body);
        });
        if (end)
        {
            _peerStreams.Remove(id);
        }
    }

    private void Data(ArrayBufferWriter<byte> writer, ulong id)
    {
        if (id == 0 && clean)
        {
            Ping(writer);
            return;
        }

        // Mostly chunks within the default window; sometimes more than the live peer granted (a flow-control violation).
        var size = Mistake(30) ? liveSettings.InitialStreamWindow + random.Next(1, 4096) : random.Next(0, 4096);
        if (size > liveSettings.MaxMessageSize - 32)
        {
            size = liveSettings.MaxMessageSize - 32;
        }

        var end = random.Next(3) == 0;
        var body = Body(size, exact: true);
        Frame(writer, FrameType.Data, end ? FrameFlags.EndStream : FrameFlags.None, id, w => w.Write(body));
        if (end)
        {
            _ownStreams.Remove(id);
            _peerStreams.Remove(id);
        }
    }

    private void Subscribe(ArrayBufferWriter<byte> writer)
    {
        var id = Mistake(20) ? (ulong)random.Next(1, 4) : _nextSubscription++;
        _subscriptions.Add(id);
        var topic = Mistake(40) ? "not a topic" : Topics[random.Next(Topics.Length)];
        Frame(writer, FrameType.Subscribe, FrameFlags.None, id, w => PubSubFrames.WriteSubscribe(w, topic, random.Next(3) == 0 ? random.Next(0, 50) : 0));
    }

    private void Unsubscribe(ArrayBufferWriter<byte> writer)
    {
        var id = _subscriptions.Count > 0 && random.Next(5) != 0 ? _subscriptions[random.Next(_subscriptions.Count)] : (ulong)random.Next(1, 100);
        _subscriptions.Remove(id);
        Frame(writer, FrameType.Unsubscribe, FrameFlags.None, id, static _ => { });
    }

    private void Publish(ArrayBufferWriter<byte> writer)
    {
        var topic = Topics[random.Next(Topics.Length)];
        var data = Body(200);
        Frame(writer, FrameType.Event, PubSubFrames.Publish, (ulong)random.Next(1, 1000), w =>
        {
            PubSubFrames.WritePublishHead(w, topic, "text/plain");
            w.Write(data);
        });
    }

    /// <summary>What a server sends a subscribing client: acknowledgements, events, gap notices, for its ids or others.</summary>
    private void PubSubToClient(ArrayBufferWriter<byte> writer)
    {
        var id = _subscriptions.Count > 0 && random.Next(6) != 0 ? _subscriptions[random.Next(_subscriptions.Count)] : (ulong)random.Next(1, 50);
        var sequence = random.Next(1, 200);
        switch (random.Next(4))
        {
            case 0:
                var kind = (AckKind)random.Next(4);
                Frame(writer, FrameType.Ack, FrameFlags.None, id, w => PubSubFrames.WriteAck(w, kind, sequence, kind == AckKind.Refused ? "no" : string.Empty));
                break;
            case 1:
                Frame(writer, FrameType.Event, PubSubFrames.Gap, id, w => PubSubFrames.WriteGap(w, sequence, sequence + random.Next(0, 5)));
                break;
            default:
                var data = Body(100);
                Frame(writer, FrameType.Event, FrameFlags.None, id, w =>
                {
                    PubSubFrames.WriteDeliveryHead(w, sequence, "text/plain");
                    w.Write(data);
                });
                break;
        }
    }

    /// <summary>One of <paramref name="ids"/>, or now and then (not when clean) any id; 0 when clean and there is none.</summary>
    private ulong Any(List<ulong> ids) => ids.Count > 0 && (clean || random.Next(10) != 0) ? ids[random.Next(ids.Count)] : clean ? 0 : (ulong)random.Next(0, 40);

    /// <summary>Whether to make a deliberate mistake now (never in a clean script).</summary>
    private bool Mistake(int oneIn) => !clean && random.Next(oneIn) == 0;

    private void Ping(ArrayBufferWriter<byte> writer) => ControlFrames.WritePing(writer, FrameType.Ping, random.NextInt64());

    private byte[] Body(int max, bool exact = false)
    {
        var body = new byte[exact ? max : random.Next(0, max + 1)];
        random.NextBytes(body);
        return body;
    }

    private static void Frame(ArrayBufferWriter<byte> writer, FrameType type, FrameFlags flags, ulong streamId, Action<IBufferWriter<byte>> payload)
    {
        var body = new ArrayBufferWriter<byte>();
        payload(body);
        FrameCodec.WriteFrame(writer, type, flags, streamId, body.WrittenSpan);
    }
}
