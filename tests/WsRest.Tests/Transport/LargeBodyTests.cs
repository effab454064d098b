using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using WsRest.Tests.Infrastructure;

namespace WsRest.Tests.Transport;

/// <summary>
/// 1 GiB each way streams through flow control with bounded memory: neither side buffers a body.
/// The bound is asserted on the managed heap, sampled while the transfer runs (client and server
/// share this process, so it covers both).
/// </summary>
public class LargeBodyTests
{
    private const long OneGiB = 1L << 30;

    // Far below 1 GiB; generous for the test host, the pools and two 1 MiB connection windows.
    private const long HeapBound = 256L << 20;

    [Test]
    public async Task OneGibUploadAndDownloadUseBoundedMemory()
    {
        await using var host = await TestHost.StartAsync(app =>
        {
            app.MapPost("/sink", async (HttpContext context) =>
            {
                context.Features.Get<Microsoft.AspNetCore.Http.Features.IHttpMaxRequestBodySizeFeature>()!.MaxRequestBodySize = null;
                var buffer = new byte[64 * 1024];
                long total = 0;
                long checksum = 0;
                int read;
                while ((read = await context.Request.Body.ReadAsync(buffer)) > 0)
                {
                    checksum += SumOfChunkMarkers(buffer.AsSpan(0, read), total);
                    total += read;
                }

                return Results.Text($"{total}:{checksum}");
            });
            app.MapGet("/source", async (HttpContext context) =>
            {
                context.Response.ContentLength = OneGiB;
                var chunk = new byte[64 * 1024];
                for (long sent = 0; sent < OneGiB; sent += chunk.Length)
                {
                    chunk[^1] = (byte)(sent / chunk.Length);
                    await context.Response.Body.WriteAsync(chunk, context.RequestAborted);
                }
            });
        });
        using var http = await host.CreateWsRestHttpClientAsync();
        http.Timeout = TimeSpan.FromMinutes(5);
        using var sampler = new HeapSampler();

        var upload = new PatternContent(OneGiB, 64 * 1024);
        using var uploaded = await http.PostAsync("/sink", upload);
        Assert.That(uploaded.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(await uploaded.Content.ReadAsStringAsync(), Is.EqualTo($"{OneGiB}:{upload.ExpectedChecksum}"));

        using var download = await http.GetAsync("/source", HttpCompletionOption.ResponseHeadersRead);
        await using var body = await download.Content.ReadAsStreamAsync();
        var buffer = new byte[64 * 1024];
        long received = 0;
        long checksum = 0;
        int read;
        while ((read = await body.ReadAsync(buffer)) > 0)
        {
            checksum += SumOfChunkMarkers(buffer.AsSpan(0, read), received);
            received += read;
        }

        Assert.That(received, Is.EqualTo(OneGiB));
        Assert.That(checksum, Is.EqualTo(upload.ExpectedChecksum), "every 64 KiB chunk arrived in order");
        Assert.That(sampler.PeakHeapBytes, Is.LessThan(HeapBound), $"peak managed heap {sampler.PeakHeapBytes >> 20} MiB while moving 2 GiB");
    }

    /// <summary>Adds the last byte of each 64 KiB chunk (its sequence number) found in a read at <paramref name="offset"/>.</summary>
    private static long SumOfChunkMarkers(ReadOnlySpan<byte> read, long offset)
    {
        const int Chunk = 64 * 1024;
        long sum = 0;
        for (var end = ((offset / Chunk) + 1) * Chunk - 1; end < offset + read.Length; end += Chunk)
        {
            sum += read[(int)(end - offset)];
        }

        return sum;
    }

    /// <summary>A body produced on the fly, chunk by chunk; never held in memory whole.</summary>
    private sealed class PatternContent : HttpContent
    {
        private readonly long _length;
        private readonly int _chunk;

        public PatternContent(long length, int chunk)
        {
            _length = length;
            _chunk = chunk;
            Headers.ContentLength = length;
            for (long sent = 0; sent < length; sent += chunk)
            {
                ExpectedChecksum += (byte)(sent / chunk);
            }
        }

        public long ExpectedChecksum { get; }

        protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context)
        {
            var buffer = new byte[_chunk];
            for (long sent = 0; sent < _length; sent += _chunk)
            {
                buffer[^1] = (byte)(sent / _chunk);
                await stream.WriteAsync(buffer);
            }
        }

        protected override bool TryComputeLength(out long length)
        {
            length = _length;
            return true;
        }
    }

    /// <summary>Samples the managed heap size on a timer; the peak is the figure asserted.</summary>
    private sealed class HeapSampler : IDisposable
    {
        private readonly Timer _timer;
        private long _peak;

        public HeapSampler()
        {
            _timer = new Timer(_ => Sample(), null, TimeSpan.Zero, TimeSpan.FromMilliseconds(20));
        }

        public long PeakHeapBytes
        {
            get
            {
                Sample();
                return Interlocked.Read(ref _peak);
            }
        }

        public void Dispose() => _timer.Dispose();

        private void Sample()
        {
            var now = GC.GetTotalMemory(forceFullCollection: false);
            long seen;
            while (now > (seen = Interlocked.Read(ref _peak)) && Interlocked.CompareExchange(ref _peak, now, seen) != seen)
            {
            }
        }
    }
}
