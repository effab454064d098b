using System.Buffers;
using System.IO.Pipelines;
using System.Runtime.CompilerServices;
using BenchmarkDotNet.Attributes;
using WsRest.Protocol;

namespace WsRest.Benchmarks;

/// <summary>
/// The read loop at steady state: one pre-encoded WebSocket message is handed to the peer's read
/// loop, which decodes it and dispatches every frame (DATA into the open stream's body pipe, PING
/// answered with a PONG, WINDOW credited). The DATA benchmark then drains the pipe as
/// <c>StreamBodyReadStream</c> does (read, advance, release credit, which queues WINDOW updates in
/// batches). One invocation is one message of <see cref="FramesPerMessage"/> frames; the figures are
/// per frame. The target is zero bytes per frame.
/// </summary>
[MemoryDiagnoser]
public class ReaderBenchmarks : IDisposable
{
    /// <summary>Frames in each incoming message.</summary>
    public const int FramesPerMessage = 8;

    /// <summary>Full-size (16 KiB) DATA frames in each message of the bulk benchmark: a 64 KiB message.</summary>
    public const int LargeFramesPerMessage = 4;

    private const int DataPayload = 256;
    private const int LargePayload = 16 * 1024;
    private const int WindowIncrement = 1024;

    private readonly ManualResetEventSlim _readCompleted = new(initialState: false, spinCount: 1000);
    private EngineHarness _harness = null!;
    private Action _onReadCompleted = null!;
    private byte[] _dataMessage = [];
    private byte[] _controlMessage = [];
    private byte[] _largeDataMessage = [];

    [GlobalSetup]
    public void Setup()
    {
        _harness = EngineHarness.StartAsync().GetAwaiter().GetResult();
        _onReadCompleted = _readCompleted.Set;
        var id = _harness.Stream.Id;
        var data = new ArrayBufferWriter<byte>();
        var payload = new byte[DataPayload];
        for (var i = 0; i < FramesPerMessage; i++)
        {
            FrameCodec.WriteFrame(data, FrameType.Data, FrameFlags.None, id, payload);
        }

        _dataMessage = data.WrittenSpan.ToArray();

        var large = new ArrayBufferWriter<byte>();
        for (var i = 0; i < LargeFramesPerMessage; i++)
        {
            FrameCodec.WriteFrame(large, FrameType.Data, FrameFlags.None, id, new byte[LargePayload]);
        }

        _largeDataMessage = large.WrittenSpan.ToArray();

        var control = new ArrayBufferWriter<byte>();
        for (var i = 0; i < FramesPerMessage / 2; i++)
        {
            ControlFrames.WritePing(control, FrameType.Ping, i);
            ControlFrames.WriteWindow(control, 0, WindowIncrement);
        }

        _controlMessage = control.WrittenSpan.ToArray();
    }

    [GlobalCleanup]
    public void Dispose()
    {
        _harness.DisposeAsync().AsTask().GetAwaiter().GetResult();
        _readCompleted.Dispose();
        GC.SuppressFinalize(this);
    }

    /// <summary>DATA frames of 256 bytes for the open stream, then the body read as the application would.</summary>
    [Benchmark(OperationsPerInvoke = FramesPerMessage)]
    public long DataFramesIntoBody() => DeliverAndDrain(_dataMessage, FramesPerMessage * DataPayload);

    /// <summary>Bulk transfer: 64 KiB messages of four 16 KiB DATA frames (the read loop keeps a large receive buffer while they last).</summary>
    [Benchmark(OperationsPerInvoke = LargeFramesPerMessage)]
    public long LargeDataFramesIntoBody() => DeliverAndDrain(_largeDataMessage, LargeFramesPerMessage * LargePayload);

    private long DeliverAndDrain(byte[] message, int expected)
    {
        _harness.Socket.Deliver(message);

        var stream = _harness.Stream;
        var body = stream.BodyReader;
        if (!body.TryRead(out var read))
        {
            throw new InvalidOperationException("The body pipe is empty after the message was processed.");
        }

        var length = read.Buffer.Length;
        body.AdvanceTo(read.Buffer.End);
        stream.OnBodyConsumed((int)length);
        if (length != expected)
        {
            throw new InvalidOperationException($"Read {length} body bytes; expected {expected}.");
        }

        return length;
    }

    /// <summary>
    /// As <see cref="DataFramesIntoBody"/>, but the body's reader is already waiting in
    /// <c>ReadAsync</c> when the message arrives, as an application reading a body is: the first DATA
    /// frame wakes it through the pipe's thread-pool scheduler (once per message, not per frame).
    /// </summary>
    [Benchmark(OperationsPerInvoke = FramesPerMessage)]
    public long DataFramesToWaitingReader()
    {
        var stream = _harness.Stream;
        var body = stream.BodyReader;
        var pending = AwaiterOf(body.ReadAsync());
        if (pending.IsCompleted)
        {
            throw new InvalidOperationException("The body pipe was not empty before the message.");
        }

        _readCompleted.Reset();
        pending.UnsafeOnCompleted(_onReadCompleted);
        _harness.Socket.Deliver(_dataMessage);
        if (!_readCompleted.Wait(TimeSpan.FromSeconds(10)))
        {
            throw new TimeoutException("The body reader was never woken.");
        }

        // The continuation ran, so the read has completed (blocking here keeps the harness free of a state machine).
        var read = pending.GetResult();
        var length = read.Buffer.Length;
        body.AdvanceTo(read.Buffer.End);
        stream.OnBodyConsumed((int)length);
        return length;
    }

    /// <summary>The awaiter of a read this benchmark completes by hand (one consumer, one result).</summary>
    private static ValueTaskAwaiter<ReadResult> AwaiterOf(ValueTask<ReadResult> read) => read.GetAwaiter();

    /// <summary>PING (each answered with a queued PONG) and connection WINDOW frames, alternating.</summary>
    [Benchmark(OperationsPerInvoke = FramesPerMessage)]
    public long PingAndWindowFrames()
    {
        _harness.Socket.Deliver(_controlMessage);

        // Spend the credit the WINDOW frames granted, as a sender would, so the window never overflows.
        return _harness.Peer.ConnectionSendWindow.TryTake(FramesPerMessage / 2 * WindowIncrement);
    }
}
