using WsRest.Client;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using WsRest.Tests.Infrastructure;

namespace WsRest.Tests.Transport;

/// <summary>
/// 1 GiB each way streams through flow control with bounded memory: neither side buffers a body.
/// The bound is asserted on the live managed heap measured (after a full collection) half way through
/// each transfer; client and server share this process, so it covers both.
/// </summary>
[TestFixture(WsRestEncoding.Binary)]
[TestFixture(WsRestEncoding.Json)]
public class LargeBodyTests(WsRestEncoding encoding)
{
    private const long OneGiB = 1L << 30;

    private const long HalfWay = OneGiB / 2;

    // Far below the 512 MiB that would be live half way if either side buffered; generous for the
    // test host, the pools and the flow-control windows.
    private const long HeapBound = 128L << 20;

    [Test]
    public async Task OneGibUploadAndDownloadUseBoundedMemory()
    {
        long uploadHalfWayHeap = 0;
        long downloadHalfWayHeap = 0;
        await using var host = await TestHost.StartAsync(encoding, app =>
        {
            app.MapPost("/sink", async (HttpContext context) =>
            {
                context.Features.Get<Microsoft.AspNetCore.Http.Features.IHttpMaxRequestBodySizeFeature>()!.MaxRequestBodySize = null;
                var buffer = new byte[64 * 1024];
                long total = 0;
                long checksum = 0;
                string? firstWrong = null;
                int read;
                while ((read = await context.Request.Body.ReadAsync(buffer)) > 0)
                {
                    checksum += SumOfChunkMarkers(buffer.AsSpan(0, read), total, ref firstWrong);
                    MeasureAtHalfWay(total, read, ref uploadHalfWayHeap);
                    total += read;
                }

                return Results.Text(firstWrong is null ? $"{total}:{checksum}" : $"{total}:{checksum} ({firstWrong})");
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

        var upload = new PatternContent(OneGiB, 64 * 1024);
        using var uploaded = await http.PostAsync("/sink", upload);
        Assert.That(uploaded.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(await uploaded.Content.ReadAsStringAsync(), Is.EqualTo($"{OneGiB}:{upload.ExpectedChecksum}"));

        using var download = await http.GetAsync("/source", HttpCompletionOption.ResponseHeadersRead);
        await using var body = await download.Content.ReadAsStreamAsync();
        var buffer = new byte[64 * 1024];
        long received = 0;
        long checksum = 0;
        string? firstWrong = null;
        int read;
        while ((read = await body.ReadAsync(buffer)) > 0)
        {
            checksum += SumOfChunkMarkers(buffer.AsSpan(0, read), received, ref firstWrong);
            MeasureAtHalfWay(received, read, ref downloadHalfWayHeap);
            received += read;
        }

        Assert.That(received, Is.EqualTo(OneGiB));
        Assert.That(checksum, Is.EqualTo(upload.ExpectedChecksum), $"every 64 KiB chunk arrived in order ({firstWrong})");
        TestContext.Progress.WriteLine($"live heap half way: upload {uploadHalfWayHeap >> 20} MiB, download {downloadHalfWayHeap >> 20} MiB");
        Assert.That(uploadHalfWayHeap, Is.InRange(1, HeapBound), "live heap half way through the upload");
        Assert.That(downloadHalfWayHeap, Is.InRange(1, HeapBound), "live heap half way through the download");
    }

    /// <summary>
    /// Adds the last byte of each 64 KiB chunk (its sequence number) found in a read at <paramref name="offset"/>;
    /// the first marker that is not its chunk's number is described in <paramref name="firstWrong"/>, so a
    /// failure says where the body went wrong and with what.
    /// </summary>
    private static long SumOfChunkMarkers(ReadOnlySpan<byte> read, long offset, ref string? firstWrong)
    {
        const int Chunk = 64 * 1024;
        long sum = 0;
        for (var end = ((offset / Chunk) + 1) * Chunk - 1; end < offset + read.Length; end += Chunk)
        {
            var marker = read[(int)(end - offset)];
            if (firstWrong is null && marker != (byte)(end / Chunk))
            {
                firstWrong = $"chunk {end / Chunk} ends in {marker}, not {(byte)(end / Chunk)}; found in a read of {read.Length} bytes at offset {offset}";
            }

            sum += marker;
        }

        return sum;
    }

    /// <summary>Records the live heap (after a full collection) when a read crosses the half-way mark.</summary>
    private static void MeasureAtHalfWay(long offset, int read, ref long measured)
    {
        if (offset < HalfWay && offset + read >= HalfWay)
        {
            measured = GC.GetTotalMemory(forceFullCollection: true);
        }
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
}
