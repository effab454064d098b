using System.Buffers;
using System.Globalization;
using System.Threading.Channels;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using WsRest.Protocol;
using WsRest.Tests.Infrastructure;

namespace WsRest.Tests.Transport;

/// <summary>
/// Stream receive windows auto-tune (issue 17, docs/decisions.md): a stream whose reader keeps up gets
/// a larger window, up to three quarters of the connection window; a reader that does not keep up keeps
/// its window, so what the server buffers for it stays bounded by the initial window. Observed from a
/// hand-driven client, which sees every WINDOW frame the server sends and knows what it sent.
/// </summary>
public class WindowTuningTests
{
    private const int ChunkSize = 64 * 1024;

    [Test]
    public async Task AStreamWhoseReaderKeepsUpGetsALargerWindowWithinItsBound()
    {
        await using var host = await TestHost.StartAsync(app => app.MapPost("/drain", async (HttpContext context) =>
        {
            var buffer = new byte[ChunkSize];
            long total = 0;
            int read;
            while ((read = await context.Request.Body.ReadAsync(buffer, context.RequestAborted)) > 0)
            {
                total += read;
            }

            return Results.Text(total.ToString(CultureInfo.InvariantCulture));
        }));
        await using var raw = await RawConnection.OpenAsync(host.WsRestEndpoint, handshake: false);
        var server = (await raw.HandshakeAsync()).Settings;
        var upload = new RawUpload(raw, server);
        await upload.StartAsync("/drain");

        const long Total = 16 << 20;
        while (upload.Sent < Total)
        {
            await upload.SendAllCreditAsync(Total);
            if (upload.Sent < Total)
            {
                await upload.ReceiveCreditAsync();
            }
        }

        await upload.EndAsync();
        var (status, body) = await raw.ReceiveResponseAsync(RawUpload.StreamId);
        Assert.That(status, Is.EqualTo(200));
        Assert.That(System.Text.Encoding.UTF8.GetString(body), Is.EqualTo(Total.ToString(CultureInfo.InvariantCulture)));

        TestContext.Progress.WriteLine($"largest stream credit {upload.LargestStreamCredit} B, {upload.StreamWindowFrames} stream WINDOW frames for {Total} B");
        Assert.That(upload.LargestStreamCredit, Is.GreaterThan(server.InitialStreamWindow), "the window grew past its initial size");
        Assert.That(upload.LargestStreamCredit, Is.LessThanOrEqualTo(server.InitialConnectionWindow * 3L / 4), "the window stays within its bound");

        // A fixed window is renewed every half window: 16 MiB would take 128 WINDOW frames.
        Assert.That(upload.StreamWindowFrames, Is.LessThan(Total / (server.InitialStreamWindow / 2)));
    }

    [Test]
    public async Task AReaderThatDoesNotKeepUpKeepsItsWindowAndWhatIsBufferedStaysWithinIt()
    {
        var gate = new SemaphoreSlim(0);
        var reads = Channel.CreateUnbounded<int>();
        await using var host = await TestHost.StartAsync(app => app.MapPost("/slow", async (HttpContext context) =>
        {
            // One read of at most 64 KiB each time the test opens the gate.
            var buffer = new byte[ChunkSize];
            long total = 0;
            int read;
            do
            {
                await gate.WaitAsync(context.RequestAborted);
                read = await context.Request.Body.ReadAsync(buffer, context.RequestAborted);
                total += read;
                reads.Writer.TryWrite(read);
            }
            while (read > 0);

            return Results.Text(total.ToString(CultureInfo.InvariantCulture));
        }));
        await using var raw = await RawConnection.OpenAsync(host.WsRestEndpoint, handshake: false);
        var server = (await raw.HandshakeAsync()).Settings;
        var upload = new RawUpload(raw, server);
        await upload.StartAsync("/slow");

        long appRead = 0;
        for (var step = 0; step < 48; step++)
        {
            // Everything the windows allow, and the server's read loop has taken it all in when the PONG comes.
            await upload.SendAllCreditAsync(long.MaxValue);
            await upload.PingAsync();
            AssertBounded(upload, server, appRead, step);

            gate.Release();
            appRead += await reads.Reader.ReadAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(30));

            // A WINDOW the read provoked is queued before the read returns, so it arrives before this PONG.
            await upload.PingAsync();
            AssertBounded(upload, server, appRead, step);
        }

        Assert.That(upload.LargestStreamCredit, Is.LessThanOrEqualTo(server.InitialStreamWindow), "the window never grew");
        Assert.That(appRead, Is.GreaterThan(2L * server.InitialStreamWindow), "the window was renewed several times");

        await upload.EndAsync();
        int last;
        do
        {
            gate.Release();
            last = await reads.Reader.ReadAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(30));
            appRead += last;
        }
        while (last > 0);

        var (status, body) = await raw.ReceiveResponseAsync(RawUpload.StreamId);
        Assert.That(status, Is.EqualTo(200));
        Assert.That(System.Text.Encoding.UTF8.GetString(body), Is.EqualTo(upload.Sent.ToString(CultureInfo.InvariantCulture)));
    }

    private static void AssertBounded(RawUpload upload, PeerSettings server, long appRead, int step)
    {
        // What the server holds unread, plus the credit it still grants, is at most its window: had the
        // window grown, the client would hold more credit than the initial window leaves.
        var buffered = upload.Sent - appRead;
        Assert.That(buffered, Is.LessThanOrEqualTo(server.InitialStreamWindow), $"step {step}: bytes buffered at the server");
        Assert.That(buffered + upload.StreamCredit, Is.LessThanOrEqualTo(server.InitialStreamWindow), $"step {step}: buffered + credit");
    }

    /// <summary>An upload on stream 1 that sends exactly what the server's windows allow, and tracks every WINDOW it gets.</summary>
    private sealed class RawUpload(RawConnection raw, PeerSettings server)
    {
        public const ulong StreamId = 1;

        private static readonly byte[] Chunk = new byte[16 * 1024];
        private long _connectionCredit = server.InitialConnectionWindow;
        private long _opaque;

        public long StreamCredit { get; private set; } = server.InitialStreamWindow;

        public long LargestStreamCredit { get; private set; } = server.InitialStreamWindow;

        public int StreamWindowFrames { get; private set; }

        public long Sent { get; private set; }

        public Task StartAsync(string path)
        {
            var head = new ArrayBufferWriter<byte>();
            RequestHead.WriteStart(head, "POST", path);
            HeaderCodec.WriteEnd(head);
            return raw.SendFrameAsync(FrameType.Request, FrameFlags.None, StreamId, head.WrittenSpan);
        }

        public async Task SendAllCreditAsync(long upTo)
        {
            while (Sent < upTo && Math.Min(StreamCredit, _connectionCredit) > 0)
            {
                var size = (int)Math.Min(Math.Min(Chunk.Length, upTo - Sent), Math.Min(StreamCredit, _connectionCredit));
                await raw.SendFrameAsync(FrameType.Data, FrameFlags.None, StreamId, Chunk.AsSpan(0, size));
                Sent += size;
                StreamCredit -= size;
                _connectionCredit -= size;
            }
        }

        public Task EndAsync() => raw.SendFrameAsync(FrameType.Data, FrameFlags.EndStream, StreamId, []);

        /// <summary>Receives until at least one WINDOW (for the stream or the connection) arrived.</summary>
        public async Task ReceiveCreditAsync()
        {
            while (!Apply(await ReceiveAsync(), pong: 0))
            {
            }
        }

        /// <summary>A PING, and everything the server sent before its PONG.</summary>
        public async Task PingAsync()
        {
            var opaque = ++_opaque;
            var ping = new ArrayBufferWriter<byte>();
            ControlFrames.WritePing(ping, FrameType.Ping, opaque);
            await raw.SendBytesAsync(ping.WrittenSpan.ToArray());
            while (!Apply(await ReceiveAsync(), pong: opaque))
            {
            }
        }

        private async Task<List<(FrameType Type, FrameFlags Flags, ulong StreamId, byte[] Payload)>> ReceiveAsync()
            => await raw.ReceiveFramesAsync() ?? throw new InvalidOperationException("The server closed the connection.");

        /// <summary>Applies WINDOW frames; true once the awaited PONG (or, with <paramref name="pong"/> 0, a WINDOW) was seen.</summary>
        private bool Apply(List<(FrameType Type, FrameFlags Flags, ulong StreamId, byte[] Payload)> frames, long pong)
        {
            var done = false;
            foreach (var frame in frames)
            {
                if (frame.Type == FrameType.Window)
                {
                    var increment = ControlFrames.ReadWindow(frame.Payload);
                    if (frame.StreamId == 0)
                    {
                        _connectionCredit += increment;
                    }
                    else if (frame.StreamId == StreamId)
                    {
                        StreamCredit += increment;
                        StreamWindowFrames++;
                        LargestStreamCredit = Math.Max(LargestStreamCredit, StreamCredit);
                    }

                    done |= pong == 0;
                }
                else if (frame.Type == FrameType.Pong && ControlFrames.ReadPing(frame.Payload) == pong)
                {
                    done = true;
                }
                else if (frame.Type is FrameType.Cancel or FrameType.Error)
                {
                    throw new InvalidOperationException($"The server sent {frame.Type} on stream {frame.StreamId}.");
                }
            }

            return done;
        }
    }
}
