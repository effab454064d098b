using System.Buffers;
using System.Diagnostics;
using System.Globalization;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace WsRest.Load;

/// <summary>
/// The large-body endpoints. None holds a whole body: a download writes one shared 64 KiB chunk over
/// and over, an upload is read into one pooled 64 KiB buffer, counted and dropped, and answered with
/// the count (decimal text) so the client can check that every byte arrived.
/// </summary>
internal static class LargeBodyEndpoints
{
    /// <summary>Largest body these endpoints serve or accept: the load options cap sizes at 2047 MiB.</summary>
    private const long MaxBytes = 2047L * 1024 * 1024;

    /// <summary>GET /download/{bytes}: <c>bytes</c> bytes of <see cref="LargeBody.Chunk"/>, with a Content-Length.</summary>
    public static async Task DownloadAsync(HttpContext context, long bytes)
    {
        if (bytes < 0 || bytes > MaxBytes)
        {
            context.Response.StatusCode = StatusCodes.Status400BadRequest;
            return;
        }

        context.Response.ContentType = "application/octet-stream";
        context.Response.ContentLength = bytes;
        var body = context.Response.Body;
        for (var remaining = bytes; remaining > 0;)
        {
            var count = (int)Math.Min(remaining, LargeBody.ChunkSize);
            await body.WriteAsync(LargeBody.Chunk.AsMemory(0, count), context.RequestAborted).ConfigureAwait(false);
            remaining -= count;
        }
    }

    /// <summary>POST /upload: reads as fast as the transport delivers.</summary>
    public static Task UploadAsync(HttpContext context) => CountAsync(context, bytesPerSecond: 0);

    /// <summary>
    /// POST /upload-slow/{mibPerSecond}: a handler slower than the wire. It reads 64 KiB at a time and
    /// waits whenever it is ahead of the pace, so the transport's back-pressure, not the app, has to hold
    /// what the client sends faster.
    /// </summary>
    public static Task UploadSlowAsync(HttpContext context, int mibPerSecond) =>
        mibPerSecond < 1 ? BadRequestAsync(context) : CountAsync(context, mibPerSecond * 1024L * 1024);

    private static Task BadRequestAsync(HttpContext context)
    {
        context.Response.StatusCode = StatusCodes.Status400BadRequest;
        return Task.CompletedTask;
    }

    private static async Task CountAsync(HttpContext context, long bytesPerSecond)
    {
        // Kestrel and WsRest both default to a 30,000,000-byte limit; these bodies are larger by design.
        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
        {
            limit.MaxRequestBodySize = null;
        }

        var buffer = ArrayPool<byte>.Shared.Rent(LargeBody.ChunkSize);
        try
        {
            var body = context.Request.Body;
            var aborted = context.RequestAborted;
            var start = Stopwatch.GetTimestamp();
            long total = 0;
            while (true)
            {
                // Fill the whole 64 KiB before pacing, so the pause per read is the same on every transport.
                var filled = 0;
                int read;
                while (filled < LargeBody.ChunkSize && (read = await body.ReadAsync(buffer.AsMemory(filled, LargeBody.ChunkSize - filled), aborted).ConfigureAwait(false)) > 0)
                {
                    filled += read;
                }

                total += filled;
                if (filled < LargeBody.ChunkSize)
                {
                    break;
                }

                if (bytesPerSecond > 0)
                {
                    var due = TimeSpan.FromSeconds((double)total / bytesPerSecond) - Stopwatch.GetElapsedTime(start);
                    if (due > TimeSpan.Zero)
                    {
                        await Task.Delay(due, aborted).ConfigureAwait(false);
                    }
                }
            }

            var answer = total.ToString(CultureInfo.InvariantCulture);
            context.Response.ContentType = "text/plain";
            context.Response.ContentLength = answer.Length;
            await context.Response.WriteAsync(answer, aborted).ConfigureAwait(false);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
