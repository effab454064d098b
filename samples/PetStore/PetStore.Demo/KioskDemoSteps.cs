using System.Globalization;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Logging;
using PetStore.Client;
using KioskApp = PetStore.Kiosk.KioskApp;

namespace PetStore.Demo;

/// <summary>
/// The reverse direction, scripted: a store kiosk starts in-process and dials the server (no listening
/// port); the generated client then asks the server, which calls the kiosk over the kiosk's own socket.
/// Every step checks what it got back.
/// </summary>
internal sealed class KioskDemoSteps(IPetStoreClient client, DemoLog log, Uri wsEndpoint)
{
    /// <summary>The name of the kiosk the demo starts.</summary>
    public const string KioskName = "front-door";

    /// <summary>What the demo puts on the kiosk's screen.</summary>
    public const string DisplayText = "Rex is looking for a home: ask inside!";

    /// <summary>How long the demo waits for the server to list (or drop) the kiosk before it fails.</summary>
    public static readonly TimeSpan ListTimeout = TimeSpan.FromSeconds(15);

    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(20);

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var kiosk = await log.StepAsync($"start kiosk \"{KioskName}\" in-process (UseWsRestTunnel: it dials {wsEndpoint}, no listening port)", async () =>
        {
            var app = await KioskApp.StartAsync(wsEndpoint, KioskName, builder => builder.Logging.SetMinimumLevel(LogLevel.Warning), cancellationToken).ConfigureAwait(false);
            return (app, $"connected, connection id {KioskApp.GetConnectionId(app)}");
        }).ConfigureAwait(false);

        try
        {
            var id = KioskApp.GetConnectionId(kiosk);
            await RunWithKioskAsync(kiosk, id, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            // Stopping twice is harmless; this covers a step that failed before the kiosk was stopped.
            await kiosk.StopAsync(CancellationToken.None).ConfigureAwait(false);
            await kiosk.DisposeAsync().ConfigureAwait(false);
        }
    }

    private async Task RunWithKioskAsync(WebApplication kiosk, string id, CancellationToken cancellationToken)
    {
        // The kiosk's connect returns once its handshake is sent; the server lists it once it has read it.
        var listed = await log.StepAsync($"GET /kiosks (until \"{KioskName}\" is listed)", async () =>
        {
            var kiosks = await PollKiosksAsync(k => k.Any(c => c.Id == id), $"Kiosk {id} was not listed", cancellationToken).ConfigureAwait(false);
            var entry = kiosks.Single(c => c.Id == id);
            DemoExpect.That(entry.Name == KioskName, $"Kiosk {id} is listed as \"{entry.Name}\"; expected \"{KioskName}\".");
            return (kiosks, $"200 OK, {Count(kiosks.Count, "kiosk")}");
        }).ConfigureAwait(false);
        foreach (var entry in listed)
        {
            log.Detail($"{entry.Id} \"{entry.Name}\" connected at {entry.ConnectedAt.ToString("HH:mm:ss.fff", CultureInfo.InvariantCulture)}");
        }

        var before = await log.StepAsync($"GET /kiosks/{id}/status (the server calls the kiosk)", async () =>
        {
            var status = await client.GetKioskStatusAsync(id, cancellationToken).ConfigureAwait(false);
            DemoExpect.That(status.Name == KioskName, $"The kiosk reports the name \"{status.Name}\"; expected \"{KioskName}\".");
            DemoExpect.That(status.ServedBy == KioskApp.TrustedCaller, $"The kiosk saw the caller \"{status.ServedBy}\"; expected \"{KioskApp.TrustedCaller}\".");
            return (status, "200 OK");
        }).ConfigureAwait(false);
        PrintStatus(before);

        await log.StepAsync($"PUT /kiosks/{id}/display {{text: \"{DisplayText}\"}}", async () =>
        {
            await client.SetKioskDisplayAsync(id, new KioskDisplayInput { Text = DisplayText }, cancellationToken).ConfigureAwait(false);
            return (true, "204 No Content");
        }).ConfigureAwait(false);

        var after = await log.StepAsync($"GET /kiosks/{id}/status", async () =>
        {
            var status = await client.GetKioskStatusAsync(id, cancellationToken).ConfigureAwait(false);
            DemoExpect.That(status.Screen == DisplayText, $"The kiosk shows \"{status.Screen}\"; expected \"{DisplayText}\".");
            return (status, "200 OK, the screen shows the new text");
        }).ConfigureAwait(false);
        PrintStatus(after);

        var tooLong = new string('x', KioskApp.MaxDisplayLength + 1);
        await ProblemStep.ExpectAsync<HttpValidationProblemDetails>(log, $"PUT /kiosks/{id}/display ({tooLong.Length} characters, too long for the kiosk)", HttpStatusCode.BadRequest,
            async () => { await client.SetKioskDisplayAsync(id, new KioskDisplayInput { Text = tooLong }, cancellationToken).ConfigureAwait(false); return "the call succeeded"; },
            DemoProblem.From,
            problem => problem.Errors is { } errors && errors.ContainsKey("text")).ConfigureAwait(false);

        await log.StepAsync($"stop kiosk \"{KioskName}\"", async () =>
        {
            await kiosk.StopAsync(cancellationToken).ConfigureAwait(false);
            return (true, "stopped; its connection is closed");
        }).ConfigureAwait(false);

        await ProblemStep.ExpectAsync<ProblemDetails>(log, $"GET /kiosks/{id}/status (the kiosk is gone)", HttpStatusCode.NotFound,
            async () => { await client.GetKioskStatusAsync(id, cancellationToken).ConfigureAwait(false); return "the call succeeded"; },
            DemoProblem.From,
            problem => problem.Status == 404).ConfigureAwait(false);

        await log.StepAsync($"GET /kiosks (until \"{KioskName}\" is no longer listed)", async () =>
        {
            var kiosks = await PollKiosksAsync(k => k.All(c => c.Id != id), $"Kiosk {id} is still listed after it stopped", cancellationToken).ConfigureAwait(false);
            return (kiosks, $"200 OK, {Count(kiosks.Count, "kiosk")}");
        }).ConfigureAwait(false);
    }

    /// <summary>Lists kiosks until <paramref name="done"/> holds, for at most <see cref="ListTimeout"/>.</summary>
    private async Task<ICollection<ConnectedKiosk>> PollKiosksAsync(Func<ICollection<ConnectedKiosk>, bool> done, string failure, CancellationToken cancellationToken)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(ListTimeout);
        try
        {
            while (true)
            {
                var kiosks = await client.ListKiosksAsync(deadline.Token).ConfigureAwait(false);
                if (done(kiosks))
                {
                    return kiosks;
                }

                await Task.Delay(PollInterval, deadline.Token).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (deadline.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            throw new DemoFailedException($"{failure} within {ListTimeout.TotalSeconds:0} s.");
        }
    }

    private void PrintStatus(KioskStatus status)
        => log.Detail($"name=\"{status.Name}\" screen=\"{status.Screen}\" servedBy=\"{status.ServedBy}\" uptime={status.UptimeSeconds.ToString("0.000", CultureInfo.InvariantCulture)} s");

    private static string Count(int count, string noun) => count == 1 ? $"1 {noun}" : $"{count} {noun}s";
}
