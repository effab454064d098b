using System.Net.WebSockets;
using BenchmarkDotNet.Attributes;
using WsRest.Engine;
using WsRest.Protocol;

namespace WsRest.Benchmarks;

/// <summary>
/// One request/response exchange between two peers over an in-memory connection
/// (<see cref="DuplexPipeStream"/> under <c>WebSocket.CreateFromStream</c>, so the real WebSocket
/// framing runs): the client opens a stream, sends a bodiless GET, awaits the RESPONSE head and reads
/// the 100-byte body; the server answers with <see cref="FixedResponseHandler"/>. Allocations are
/// both ends together, per request, and include this method's own async state machine.
/// </summary>
/// <remarks>
/// The public client (<c>WsRestClient</c>) only connects through <c>ClientWebSocket</c> to a real
/// server, and the server side needs ASP.NET Core, so this drives the engine directly: it measures the
/// per-request cost of the peer and stream (the HTTP mapping on either side is not included).
/// </remarks>
[MemoryDiagnoser]
public class RoundTripBenchmarks
{
    private WsRestPeer _client = null!;
    private WsRestPeer _server = null!;

    [GlobalSetup]
    public void Setup()
    {
        var (clientEnd, serverEnd) = DuplexPipeStream.CreatePair();
        var settings = new PeerSettings();
        _client = Start(clientEnd, PeerRole.Client, settings, handler: null);
        _server = Start(serverEnd, PeerRole.Server, settings, new FixedResponseHandler());
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _client.DisposeAsync().AsTask().GetAwaiter().GetResult();
        _server.DisposeAsync().AsTask().GetAwaiter().GetResult();
    }

    [Benchmark]
    public async Task<long> SmallGet()
    {
        var stream = await _client.OpenStreamAsync(CancellationToken.None).ConfigureAwait(false);
        var head = new PooledBufferWriter();
        RequestHead.WriteStart(head, "GET", "/small");
        HeaderCodec.WriteEnd(head);
        await stream.SendHeadAsync(FrameType.Request, head, ReadOnlyMemory<byte>.Empty, endStream: true, CancellationToken.None).ConfigureAwait(false);
        var response = await stream.ResponseHeadTask.ConfigureAwait(false);

        var body = stream.BodyReader;
        long length = 0;
        while (true)
        {
            var read = await body.ReadAsync().ConfigureAwait(false);
            length += read.Buffer.Length;
            body.AdvanceTo(read.Buffer.End);
            stream.OnBodyConsumed((int)read.Buffer.Length);
            if (read.IsCompleted)
            {
                break;
            }
        }

        await body.CompleteAsync().ConfigureAwait(false);
        if (response.StatusCode != 200 || length != 100)
        {
            throw new InvalidOperationException($"Got {response.StatusCode} with {length} body bytes.");
        }

        return length;
    }

    private static WsRestPeer Start(Stream transport, PeerRole role, PeerSettings settings, IWsRestStreamHandler? handler)
    {
        var socket = WebSocket.CreateFromStream(transport, new WebSocketCreationOptions
        {
            IsServer = role == PeerRole.Server,
            SubProtocol = WsRestProtocol.SubProtocol,
            KeepAliveInterval = TimeSpan.Zero,
        });
        var peer = new WsRestPeer(socket, new PeerOptions
        {
            Role = role,
            Local = settings,
            Remote = settings,
            Handler = handler,
            SendTimeout = TimeSpan.FromSeconds(30),
            HeartbeatInterval = TimeSpan.FromSeconds(15),
            RemoteName = role == PeerRole.Server ? "client" : "server",
        });
        peer.Start();
        return peer;
    }
}
