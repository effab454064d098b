using System.Buffers;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace WsRest.Load;

/// <summary>
/// One in-process Kestrel with two loopback endpoints: HTTP/1.1 (plain HTTP, WsRest, the SignalR hub
/// and the raw WebSocket upgrade there) and HTTP/2-only (cleartext with prior knowledge; a single endpoint that
/// speaks both cannot serve h2c prior knowledge to HTTP/1.1 clients).
/// </summary>
internal sealed class BenchServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ListenOptions _http1;
    private readonly ListenOptions _http2;

    private BenchServer(WebApplication app, ListenOptions http1, ListenOptions http2)
    {
        _app = app;
        _http1 = http1;
        _http2 = http2;
    }

    /// <summary>Port of the HTTP/1.1 endpoint (bound once started).</summary>
    public int Http1Port => _http1.IPEndPoint!.Port;

    /// <summary>Port of the HTTP/2-only endpoint.</summary>
    public int Http2Port => _http2.IPEndPoint!.Port;

    /// <summary>The app's services (the pub/sub benchmark takes its <c>IWsRestPublisher</c> from here).</summary>
    public IServiceProvider Services => _app.Services;

    /// <param name="configureWsRest">Changes to the WsRest server options (the pub/sub benchmark sizes its queues).</param>
    public static async Task<BenchServer> StartAsync(Action<WsRest.Server.WsRestServerOptions>? configureWsRest = null)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        // Warnings and errors stay visible: a library problem under load must not be hidden.
        builder.Logging.AddSimpleConsole(o => o.SingleLine = true).SetMinimumLevel(LogLevel.Warning);
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(10));
        ListenOptions? http1 = null;
        ListenOptions? http2 = null;
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            // Only the app's own headers cross every transport (WsRest's tunnel has no Server header to add).
            kestrel.AddServerHeader = false;
            kestrel.Listen(IPAddress.Loopback, 0, o =>
            {
                o.Protocols = HttpProtocols.Http1;
                http1 = o;
            });
            kestrel.Listen(IPAddress.Loopback, 0, o =>
            {
                o.Protocols = HttpProtocols.Http2;
                http2 = o;
            });
        });
        builder.Services.AddWsRest(o =>
        {
            o.ShutdownTimeout = TimeSpan.FromSeconds(2);
            // Allowed, not imposed: only the WsRest+deflate transport's client offers it.
            o.Compression.Enabled = true;
            configureWsRest?.Invoke(o);
        });
        builder.Services.AddSignalR();

        var app = builder.Build();
        app.MapGet("/small", WriteSmallAsync);
        app.MapPost("/echo4k", EchoAsync);
        app.Map("/raw", RawEchoEndpoint.HandleAsync);
        app.Map("/raw-batch", RawBatchEchoEndpoint.HandleAsync);
        app.MapGet("/download/{bytes:long}", LargeBodyEndpoints.DownloadAsync);
        app.MapPost("/upload", LargeBodyEndpoints.UploadAsync);
        app.MapPost("/upload-slow/{mibPerSecond:int}", LargeBodyEndpoints.UploadSlowAsync);
        app.Map("/raw-large", LargeRawEndpoint.HandleAsync);
        app.Map("/idle-raw", IdleRawEndpoint.HandleAsync);
        app.MapWsRest("/wsrest");
        app.MapHub<BenchHub>("/hub");
        await app.StartAsync().ConfigureAwait(false);
        return new BenchServer(app, http1!, http2!);
    }

    private static Task WriteSmallAsync(HttpContext context)
    {
        context.Response.ContentType = "application/json";
        context.Response.ContentLength = Payloads.SmallJson.Length;
        return context.Response.Body.WriteAsync(Payloads.SmallJson).AsTask();
    }

    private static async Task EchoAsync(HttpContext context)
    {
        const int Limit = 64 * 1024;
        var buffer = ArrayPool<byte>.Shared.Rent(Limit);
        try
        {
            var length = 0;
            int read;
            while ((read = await context.Request.Body.ReadAsync(buffer.AsMemory(length, Limit - length), context.RequestAborted).ConfigureAwait(false)) > 0)
            {
                length += read;
                if (length == Limit)
                {
                    context.Response.StatusCode = StatusCodes.Status413PayloadTooLarge;
                    return;
                }
            }

            context.Response.ContentType = "application/octet-stream";
            context.Response.ContentLength = length;
            await context.Response.Body.WriteAsync(buffer.AsMemory(0, length), context.RequestAborted).ConfigureAwait(false);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    public async ValueTask DisposeAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(15));
        await _app.StopAsync(timeout.Token).ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
    }
}
