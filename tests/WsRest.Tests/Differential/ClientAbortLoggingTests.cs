using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using WsRest.Tests.Infrastructure;

namespace WsRest.Tests.Differential;

/// <summary>
/// A client that cancels (or times out) is not an application failure (issue 18): over both transports
/// the server logs it at Debug, in Kestrel's words ("The request was aborted by the client."), and
/// nothing at Warning or Error; an exception the app throws on its own still logs at Error on both.
/// </summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1001", Justification = "NUnit fixture: OneTimeTearDown disposes the host and its clients.")]
public sealed class ClientAbortLoggingTests
{
    private const string AbortedByClient = "The request was aborted by the client.";
    private static readonly TimeSpan Generous = TimeSpan.FromSeconds(30);
    private static readonly ConcurrentDictionary<string, TaskCompletionSource> Started = new(StringComparer.Ordinal);

    private readonly LevelCapturingLoggerProvider _log = new();
    private TwoTransports _clients = null!;

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        var host = await TestHost.StartAsync(
            app =>
            {
                // Waits for the client to go away, as a handler passing RequestAborted to its I/O does.
                app.MapGet("/abort/wait/{id}", async (string id, HttpContext context) =>
                {
                    StartedFor(id).TrySetResult();
                    await Task.Delay(Timeout.Infinite, context.RequestAborted);
                });

                // Writes until a write fails because the client stopped the response.
                app.MapGet("/abort/write/{id}", async (string id, HttpContext context) =>
                {
                    var chunk = new byte[16 * 1024];
                    await context.Response.Body.WriteAsync(chunk, context.RequestAborted);
                    await context.Response.Body.FlushAsync(context.RequestAborted);
                    StartedFor(id).TrySetResult();
                    while (true)
                    {
                        await context.Response.Body.WriteAsync(chunk, context.RequestAborted);
                        await context.Response.Body.FlushAsync(context.RequestAborted);
                    }
                });

                app.MapGet("/abort/throw/{id}", string (string id) => throw new InvalidOperationException($"The app fails on its own ({id})."));
            },
            configureBuilder: builder =>
            {
                builder.Logging.AddProvider(_log);
                builder.Logging.SetMinimumLevel(LogLevel.Debug);
            });
        _clients = await TwoTransports.ConnectAsync(host);
    }

    [OneTimeTearDown]
    public async Task StopAsync()
    {
        if (_clients is not null)
        {
            await _clients.DisposeAsync();
        }
    }

    [TestCase("HTTP", "wait")]
    [TestCase("WsRest", "wait")]
    [TestCase("HTTP", "write")]
    [TestCase("WsRest", "write")]
    public async Task ACancelledRequestLogsAtDebugAndNothingAboveInformation(string transport, string endpoint)
    {
        var id = $"{transport}-{endpoint}-{Guid.NewGuid():N}";
        var path = $"/abort/{endpoint}/{id}";
        var finished = WaitForRequestFinished(path);
        using var cancel = new CancellationTokenSource();
        var call = SendAndReadAsync(Client(transport), path, cancel.Token);

        await StartedFor(id).Task.WaitAsync(Generous);
        await cancel.CancelAsync();
        Assert.CatchAsync<OperationCanceledException>(() => call);
        await finished.WaitAsync(Generous);

        var entries = _log.Entries.ToList();
        var aborted = entries.Where(e => e.Message.Contains(AbortedByClient, StringComparison.Ordinal)).ToList();
        var loud = entries.Where(e => e.Level >= LogLevel.Warning && Mentions(e, id)).ToList();
        using (Assert.EnterMultipleScope())
        {
            Assert.That(loud, Is.Empty, "nothing at Warning or above about the cancelled request");
            Assert.That(aborted.Where(e => e.Level == LogLevel.Debug), Is.Not.Empty, $"a Debug \"{AbortedByClient}\"");
            Assert.That(entries.Where(e => e.Level >= LogLevel.Warning), Is.Empty, string.Join("\n", entries.Where(e => e.Level >= LogLevel.Warning)));
        }

        // The connection outlives the cancelled stream.
        Assert.That((await Client(transport).GetAsync($"/abort/throw/after-{id}")).StatusCode, Is.EqualTo(System.Net.HttpStatusCode.InternalServerError));
        ClearErrorsOf($"after-{id}");
    }

    [TestCase("HTTP")]
    [TestCase("WsRest")]
    public async Task AnExceptionOfTheAppStillLogsAnError(string transport)
    {
        var id = $"{transport}-throw-{Guid.NewGuid():N}";
        var error = _log.WaitForAsync(e => e.Level == LogLevel.Error && e.Exception?.Message.Contains(id, StringComparison.Ordinal) == true);

        using var response = await Client(transport).GetAsync($"/abort/throw/{id}");

        Assert.That(response.StatusCode, Is.EqualTo(System.Net.HttpStatusCode.InternalServerError));
        var entry = await error.WaitAsync(Generous);
        Assert.That(entry.Message, Does.Contain("An unhandled exception was thrown by the application."));
        ClearErrorsOf(id);
    }

    private static TaskCompletionSource StartedFor(string id) =>
        Started.GetOrAdd(id, static _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));

    private static bool Mentions(CapturedLogEntry entry, string id) =>
        entry.Message.Contains(id, StringComparison.Ordinal) || entry.Exception?.ToString().Contains(id, StringComparison.Ordinal) == true;

    private static async Task SendAndReadAsync(HttpClient client, string path, CancellationToken cancellationToken)
    {
        using var response = await client.GetAsync(path, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        await using var body = await response.Content.ReadAsStreamAsync(cancellationToken);
        await body.CopyToAsync(Stream.Null, cancellationToken);
    }

    private HttpClient Client(string transport) => _clients[transport];

    // The hosting layer's "Request finished" comes after whatever the server logged about the request's end.
    private Task<CapturedLogEntry> WaitForRequestFinished(string path) =>
        _log.WaitForAsync(e => e.Category == "Microsoft.AspNetCore.Hosting.Diagnostics" && e.EventId == 2 && e.Message.Contains(path, StringComparison.Ordinal));

    // The errors a test provoked on purpose must not fail the next test's "nothing at Error" check.
    private void ClearErrorsOf(string id) => _log.Forget(e => Mentions(e, id));
}
