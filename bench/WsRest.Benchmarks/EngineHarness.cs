using System.Buffers;
using WsRest.Engine;
using WsRest.Protocol;

namespace WsRest.Benchmarks;

/// <summary>
/// A started client <see cref="WsRestPeer"/> (default settings, no heartbeat) over an
/// <see cref="InMemoryWebSocket"/>, with one local stream whose REQUEST went out without END and whose
/// RESPONSE head (without END) came back: the stream is open both ways, as during a body transfer.
/// The send timeout and heartbeat are on with the client's and server's defaults, so their per-message
/// work (arming the send timer, noting liveness) is part of what is measured.
/// </summary>
internal sealed class EngineHarness : IAsyncDisposable
{
    private EngineHarness(WsRestPeer peer, InMemoryWebSocket socket, WsRestStream stream)
    {
        Peer = peer;
        Socket = socket;
        Stream = stream;
    }

    public WsRestPeer Peer { get; }

    public InMemoryWebSocket Socket { get; }

    public WsRestStream Stream { get; }

    public static async Task<EngineHarness> StartAsync()
    {
        var settings = new PeerSettings();
        var socket = new InMemoryWebSocket(settings.MaxMessageSize);
        var peer = new WsRestPeer(socket, new PeerOptions
        {
            Role = PeerRole.Client,
            Local = settings,
            Remote = settings,
            SendTimeout = TimeSpan.FromSeconds(30),
            HeartbeatInterval = TimeSpan.FromSeconds(15),
            RemoteName = "benchmark",
        });
        peer.Start();

        var stream = await peer.OpenStreamAsync(CancellationToken.None).ConfigureAwait(false);
        var head = new PooledBufferWriter();
        RequestHead.WriteStart(head, "POST", "/upload");
        HeaderCodec.WriteEnd(head);
        await stream.SendHeadAsync(FrameType.Request, head, ReadOnlyMemory<byte>.Empty, endStream: false, CancellationToken.None).ConfigureAwait(false);

        var response = new ArrayBufferWriter<byte>();
        ResponseHead.WriteStart(response, 200);
        HeaderCodec.WriteEnd(response);
        WaitUntilReceiving(socket);
        socket.Deliver(Encode(FrameType.Response, FrameFlags.None, stream.Id, response.WrittenSpan));
        var status = (await stream.ResponseHeadTask.WaitAsync(TimeSpan.FromSeconds(10)).ConfigureAwait(false)).StatusCode;
        if (status != 200)
        {
            throw new InvalidOperationException($"The stream did not open: status {status}.");
        }

        return new EngineHarness(peer, socket, stream);
    }

    /// <summary>One frame as the codec encodes it (envelope and payload).</summary>
    public static byte[] Encode(FrameType type, FrameFlags flags, ulong streamId, ReadOnlySpan<byte> payload)
    {
        var frame = new ArrayBufferWriter<byte>();
        FrameCodec.WriteFrame(frame, type, flags, streamId, payload);
        return frame.WrittenSpan.ToArray();
    }

    /// <summary>Encoded size of a queued frame, so a benchmark knows how many bytes its frames become on the wire.</summary>
    public static int EncodedLength(OutgoingFrame frame)
    {
        var writer = new ArrayBufferWriter<byte>();
        frame.WriteTo(writer);
        return writer.WrittenCount;
    }

    public async ValueTask DisposeAsync()
    {
        await Peer.DisposeAsync().ConfigureAwait(false);
        Socket.Dispose();
    }

    private static void WaitUntilReceiving(InMemoryWebSocket socket)
    {
        // Setup only: the read loop starts on the thread pool and reaches its first receive shortly.
        var spin = new SpinWait();
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (!socket.IsReceiving)
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException("The read loop never started receiving.");
            }

            spin.SpinOnce();
        }
    }
}
