using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using WsRest.Client;
using WsRest.Tests.Fuzz;
using WsRest.Tests.Infrastructure;

namespace WsRest.Tests.Transport;

/// <summary>
/// Large body writes are sent from the caller's buffer (issue 17): the DATA frames point into it until
/// the connection's writer has copied them, and the write completes only then. These tests hold the
/// library to the contract that makes that safe — a buffer reused after the await never reaches the
/// wire — and check that bodies several windows long arrive intact each way and that a body abandoned
/// half way gives every pooled buffer back.
/// </summary>
[TestFixture(WsRestEncoding.Binary)]
[TestFixture(WsRestEncoding.Json)]
public class BorrowedBodyTests(WsRestEncoding encoding)
{
    // 32 initial stream windows (256 KiB), so the window is used up and renewed many times.
    private const int BodyLength = 8 << 20;

    // Larger than a DATA frame (16 KiB), so every write is sent from the caller's buffer.
    private const int WriteSize = 256 * 1024;

    private const byte Scribble = 0xEE;

    [Test]
    public async Task ABodyLargerThanTheWindowArrivesIntactBothWays()
    {
        await using var host = await TestHost.StartAsync(encoding, app =>
        {
            app.MapPost("/verify", (Delegate)VerifyAsync);
            app.MapGet("/pattern", (HttpContext context) => WritePatternAsync(context, scribbleAfterEachWrite: false));
        });
        using var http = await host.CreateWsRestHttpClientAsync();

        using var uploaded = await http.PostAsync("/verify", new PatternContent(scribbleAfterEachWrite: false));
        Assert.That(uploaded.StatusCode, Is.EqualTo(HttpStatusCode.OK), await uploaded.Content.ReadAsStringAsync());
        Assert.That(await uploaded.Content.ReadAsStringAsync(), Is.EqualTo($"{BodyLength}:0"), "bytes received : bytes that differ from what was sent");

        using var downloaded = await http.GetAsync("/pattern", HttpCompletionOption.ResponseHeadersRead);
        await using var body = await downloaded.Content.ReadAsStreamAsync();
        Assert.That(await CountMismatchesAsync(body, CancellationToken.None), Is.EqualTo($"{BodyLength}:0"));
    }

    [Test]
    public async Task ABufferReusedOnceItsWriteCompletedDoesNotChangeWhatWasSent()
    {
        await using var host = await TestHost.StartAsync(encoding, app =>
        {
            app.MapPost("/verify", (Delegate)VerifyAsync);
            app.MapGet("/pattern", (HttpContext context) => WritePatternAsync(context, scribbleAfterEachWrite: true));
        });
        using var http = await host.CreateWsRestHttpClientAsync();

        // Each write is followed at once by overwriting its buffer: a write that completed before the
        // writer copied its bytes would put the scribble on the wire.
        using var uploaded = await http.PostAsync("/verify", new PatternContent(scribbleAfterEachWrite: true));
        Assert.That(uploaded.StatusCode, Is.EqualTo(HttpStatusCode.OK), await uploaded.Content.ReadAsStringAsync());
        Assert.That(await uploaded.Content.ReadAsStringAsync(), Is.EqualTo($"{BodyLength}:0"), "upload: bytes received : bytes that differ from what was sent");

        using var downloaded = await http.GetAsync("/pattern", HttpCompletionOption.ResponseHeadersRead);
        await using var body = await downloaded.Content.ReadAsStreamAsync();
        Assert.That(await CountMismatchesAsync(body, CancellationToken.None), Is.EqualTo($"{BodyLength}:0"), "download");
    }

    [Test]
    public async Task ADownloadAbandonedHalfWayEndsTheServersWriteAndReturnsEveryPooledBuffer()
    {
        var writeFailed = new TaskCompletionSource<Exception>(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var host = await TestHost.StartAsync(encoding, app =>
        {
            app.MapGet("/endless", async (HttpContext context) =>
            {
                var buffer = new byte[WriteSize];
                try
                {
                    while (true)
                    {
                        await context.Response.Body.WriteAsync(buffer, context.RequestAborted);
                    }
                }
                catch (Exception ex)
                {
                    writeFailed.TrySetResult(ex);
                }
            });
            app.MapGet("/small", () => "ok");
        });
        using var http = await host.CreateWsRestHttpClientAsync();

        // Once first: JIT, lazily created pools and the connection's own buffers are not what is measured.
        Assert.That(await http.GetStringAsync("/small"), Is.EqualTo("ok"));
        using var buffers = new PooledBufferMonitor();

        using (var response = await http.GetAsync("/endless", HttpCompletionOption.ResponseHeadersRead))
        {
            await using var body = await response.Content.ReadAsStreamAsync();
            var chunk = new byte[64 * 1024];
            for (long read = 0; read < 2 << 20;)
            {
                var n = await body.ReadAsync(chunk);
                Assert.That(n, Is.GreaterThan(0), "the endless body ended");
                read += n;
            }
        }

        // Disposing the response mid-body cancels the stream: the server's pending write must fail
        // (not hang waiting for frames the writer already dropped or copied).
        var failure = await writeFailed.Task.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.That(failure, Is.InstanceOf<IOException>().Or.InstanceOf<OperationCanceledException>(), failure.ToString());

        // The connection still works, and nothing the abandoned body held stays rented.
        Assert.That(await http.GetStringAsync("/small"), Is.EqualTo("ok"));
        var returned = await EngineFuzzSession.Eventually(() => buffers.Outstanding == 0, TimeSpan.FromSeconds(10));
        Assert.That(returned, Is.True, $"{buffers.Outstanding} pooled buffers rented during the abandoned download were never returned");
    }

    // Mapped as a Delegate: a method taking only HttpContext would bind as a RequestDelegate and drop its result.
    private static async Task<IResult> VerifyAsync(HttpContext context)
    {
        return Results.Text(await CountMismatchesAsync(context.Request.Body, context.RequestAborted));
    }

    private static byte PatternAt(long position) => (byte)(position ^ (position >> 8) ^ (position >> 16));

    private static void FillPattern(Span<byte> buffer, long position)
    {
        for (var i = 0; i < buffer.Length; i++)
        {
            buffer[i] = PatternAt(position + i);
        }
    }

    private static async Task WritePatternAsync(HttpContext context, bool scribbleAfterEachWrite)
    {
        context.Response.ContentLength = BodyLength;
        var buffer = new byte[WriteSize];
        for (long sent = 0; sent < BodyLength; sent += buffer.Length)
        {
            FillPattern(buffer, sent);
            await context.Response.Body.WriteAsync(buffer, context.RequestAborted);
            if (scribbleAfterEachWrite)
            {
                buffer.AsSpan().Fill(Scribble);
            }
        }
    }

    /// <summary>Reads a body to its end: "length:bytes that differ from the pattern".</summary>
    private static async Task<string> CountMismatchesAsync(Stream body, CancellationToken cancellationToken)
    {
        var buffer = new byte[64 * 1024];
        long received = 0;
        long mismatches = 0;
        int read;
        while ((read = await body.ReadAsync(buffer, cancellationToken)) > 0)
        {
            for (var i = 0; i < read; i++)
            {
                if (buffer[i] != PatternAt(received + i))
                {
                    mismatches++;
                }
            }

            received += read;
        }

        return $"{received}:{mismatches}";
    }

    /// <summary>The pattern, written from one buffer that is optionally overwritten as soon as each write completes.</summary>
    private sealed class PatternContent : HttpContent
    {
        private readonly bool _scribbleAfterEachWrite;

        public PatternContent(bool scribbleAfterEachWrite)
        {
            _scribbleAfterEachWrite = scribbleAfterEachWrite;
            Headers.ContentLength = BodyLength;
        }

        protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context)
        {
            var buffer = new byte[WriteSize];
            for (long sent = 0; sent < BodyLength; sent += buffer.Length)
            {
                FillPattern(buffer, sent);
                await stream.WriteAsync(buffer);
                if (_scribbleAfterEachWrite)
                {
                    buffer.AsSpan().Fill(Scribble);
                }
            }
        }

        protected override bool TryComputeLength(out long length)
        {
            length = BodyLength;
            return true;
        }
    }
}
