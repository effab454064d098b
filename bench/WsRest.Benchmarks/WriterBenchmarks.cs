using System.Buffers;
using BenchmarkDotNet.Attributes;
using WsRest.Engine;
using WsRest.Protocol;

namespace WsRest.Benchmarks;

/// <summary>
/// The writer at steady state: frames are queued, the peer's writer loop drains them into one
/// WebSocket message and sends it to an <see cref="InMemoryWebSocket"/>. One invocation is one burst
/// of frames, waited for until all are sent; the figures are per frame
/// (<c>OperationsPerInvoke</c>), allocations included from every thread (the writer loop runs on the
/// thread pool). The target is zero bytes per frame.
/// </summary>
[MemoryDiagnoser]
public class WriterBenchmarks
{
    /// <summary>Frames queued before each flush; the writer usually takes them all in one message.</summary>
    public const int FramesPerMessage = 16;

    /// <summary>Full-size DATA frames (the default chunk size) per burst: more than one message's batch (64 KiB).</summary>
    public const int LargeFramesPerBurst = 8;

    private const int DataPayload = 256;
    private const int LargePayload = 16 * 1024;

    private readonly byte[] _chunk = new byte[DataPayload];
    private readonly byte[] _largeChunk = new byte[LargePayload];
    private EngineHarness _harness = null!;
    private int _dataFrameLength;
    private int _controlPairLength;
    private int _largeFrameLength;
    private long _messagesAtSetup;
    private long _invocations;

    [GlobalSetup]
    public void Setup()
    {
        _harness = EngineHarness.StartAsync().GetAwaiter().GetResult();
        var id = _harness.Stream.Id;
        _dataFrameLength = EngineHarness.EncodedLength(OutgoingFrame.WithPayload(FrameType.Data, FrameFlags.None, id, _chunk, DataPayload));
        _largeFrameLength = EngineHarness.EncodedLength(OutgoingFrame.WithPayload(FrameType.Data, FrameFlags.None, id, _largeChunk, LargePayload));
        _controlPairLength = EngineHarness.EncodedLength(OutgoingFrame.Window(id, 32 * 1024))
            + EngineHarness.EncodedLength(OutgoingFrame.Pong(42));
        _messagesAtSetup = _harness.Socket.MessagesSent;
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        // The writer takes whatever is queued when it wakes, so a burst may leave in more than one
        // message; the log shows how often (1.00 = every burst was one message; the 16 KiB frames
        // need 2 by design: the batch closes at 64 KiB).
        var messages = _harness.Socket.MessagesSent - _messagesAtSetup;
        Console.WriteLine($"// writer: {messages} WebSocket messages for {_invocations} bursts ({(double)messages / Math.Max(_invocations, 1):0.00} per burst)");
        _harness.DisposeAsync().AsTask().GetAwaiter().GetResult();
    }

    /// <summary>DATA frames with a pooled 256-byte payload each, queued as <see cref="WsRestStream.SendDataAsync"/> queues them.</summary>
    [Benchmark(OperationsPerInvoke = FramesPerMessage)]
    public void DataFrames()
    {
        var socket = _harness.Socket;
        var peer = _harness.Peer;
        var id = _harness.Stream.Id;
        socket.ExpectSent((long)FramesPerMessage * _dataFrameLength);
        for (var i = 0; i < FramesPerMessage; i++)
        {
            var payload = ArrayPool<byte>.Shared.Rent(DataPayload);
            _chunk.CopyTo(payload, 0);
            peer.Enqueue(OutgoingFrame.WithPayload(FrameType.Data, FrameFlags.None, id, payload, DataPayload));
        }

        socket.WaitUntilSent();
        _invocations++;
    }

    /// <summary>
    /// Bulk transfer: 16 KiB DATA frames, more than fit in one message's 64 KiB batch, so the writer
    /// stops at the batch limit and carries on in a second message (a frame that does not fit waits).
    /// </summary>
    [Benchmark(OperationsPerInvoke = LargeFramesPerBurst)]
    public void LargeDataFrames()
    {
        var socket = _harness.Socket;
        var peer = _harness.Peer;
        var id = _harness.Stream.Id;
        socket.ExpectSent((long)LargeFramesPerBurst * _largeFrameLength);
        for (var i = 0; i < LargeFramesPerBurst; i++)
        {
            var payload = ArrayPool<byte>.Shared.Rent(LargePayload);
            _largeChunk.CopyTo(payload, 0);
            peer.Enqueue(OutgoingFrame.WithPayload(FrameType.Data, FrameFlags.None, id, payload, LargePayload));
        }

        socket.WaitUntilSent();
        _invocations++;
    }

    /// <summary>Control frames without a payload array: WINDOW and PONG, alternating.</summary>
    [Benchmark(OperationsPerInvoke = FramesPerMessage)]
    public void WindowAndPongFrames()
    {
        var socket = _harness.Socket;
        var peer = _harness.Peer;
        var id = _harness.Stream.Id;
        socket.ExpectSent((long)FramesPerMessage / 2 * _controlPairLength);
        for (var i = 0; i < FramesPerMessage / 2; i++)
        {
            peer.Enqueue(OutgoingFrame.Window(id, 32 * 1024));
            peer.Enqueue(OutgoingFrame.Pong(42));
        }

        socket.WaitUntilSent();
        _invocations++;
    }

    /// <summary>
    /// The application's path: <see cref="WsRestStream.SendDataAsync"/> per 256-byte chunk (flow-control
    /// credit, queue share, pooled copy, queue), then the writer. Credit is topped up as WINDOW frames
    /// from a reading peer would.
    /// </summary>
    [Benchmark(OperationsPerInvoke = FramesPerMessage)]
    public void StreamSendData()
    {
        var socket = _harness.Socket;
        var stream = _harness.Stream;
        stream.SendWindow.Add(FramesPerMessage * DataPayload);
        _harness.Peer.ConnectionSendWindow.Add(FramesPerMessage * DataPayload);
        socket.ExpectSent((long)FramesPerMessage * _dataFrameLength);
        for (var i = 0; i < FramesPerMessage; i++)
        {
            var send = stream.SendDataAsync(_chunk, endStream: false, CancellationToken.None);
            if (!send.IsCompletedSuccessfully)
            {
                // With credit in hand a send never waits; waiting here would measure something else.
                throw new InvalidOperationException("SendDataAsync waited for credit.");
            }

            send.GetAwaiter().GetResult();
        }

        socket.WaitUntilSent();
        _invocations++;
    }
}
