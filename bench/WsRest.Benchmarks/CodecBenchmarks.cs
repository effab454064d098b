using System.Buffers;
using BenchmarkDotNet.Attributes;
using WsRest.Engine;
using WsRest.Protocol;

namespace WsRest.Benchmarks;

/// <summary>
/// The per-frame path of the codecs: encode and decode of a small REQUEST head, a frame envelope and a
/// WINDOW frame. MemoryDiagnoser shows allocations per operation (the target is zero for envelopes and
/// control frames; decoding a head allocates its strings).
/// </summary>
[MemoryDiagnoser]
public class CodecBenchmarks : IDisposable
{
    private readonly PooledBufferWriter _writer = new(4096);
    private byte[] _requestFrame = [];
    private byte[] _windowFrame = [];

    [GlobalSetup]
    public void Setup()
    {
        var head = new ArrayBufferWriter<byte>();
        RequestHead.WriteStart(head, "GET", "/pets/1?include=tags");
        HeaderCodec.WriteHeader(head, "accept", "application/json");
        HeaderCodec.WriteHeader(head, "traceparent", "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01");
        HeaderCodec.WriteEnd(head);
        var frame = new ArrayBufferWriter<byte>();
        FrameCodec.WriteFrame(frame, FrameType.Request, FrameFlags.EndStream, 1, head.WrittenSpan);
        _requestFrame = frame.WrittenSpan.ToArray();
        var window = new ArrayBufferWriter<byte>();
        ControlFrames.WriteWindow(window, 3, 65536);
        _windowFrame = window.WrittenSpan.ToArray();
    }

    [GlobalCleanup]
    public void Dispose()
    {
        _writer.Dispose();
        GC.SuppressFinalize(this);
    }

    [Benchmark]
    public int EncodeRequestFrame()
    {
        _writer.Reset();
        RequestHead.WriteStart(_writer, "GET", "/pets/1?include=tags");
        HeaderCodec.WriteHeader(_writer, "accept", "application/json");
        HeaderCodec.WriteEnd(_writer);
        return _writer.WrittenCount;
    }

    [Benchmark]
    public int EncodeWindowFrame()
    {
        _writer.Reset();
        ControlFrames.WriteWindow(_writer, 3, 65536);
        return _writer.WrittenCount;
    }

    [Benchmark]
    public int ReadEnvelope()
    {
        FrameCodec.TryReadFrame(_requestFrame, out var frame, out var consumed);
        return consumed + frame.Payload.Length;
    }

    [Benchmark]
    public int DecodeWindowFrame()
    {
        FrameCodec.TryReadFrame(_windowFrame, out var frame, out _);
        return ControlFrames.ReadWindow(frame.Payload);
    }

    [Benchmark]
    public int DecodeRequestHead()
    {
        FrameCodec.TryReadFrame(_requestFrame, out var frame, out _);
        var head = new RequestHead();
        head.Read(frame.Payload, 64 * 1024);
        return head.Headers.Count;
    }
}
