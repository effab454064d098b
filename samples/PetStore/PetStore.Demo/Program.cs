using Microsoft.Extensions.Logging;
using PetStore.Api;
using WsRest.CommandLine;

namespace PetStore.Demo;

/// <summary>
/// Runs <see cref="DemoSession"/>, <see cref="KioskDemoSession"/> and then <see cref="EventsDemoSession"/>
/// against an in-process PetStore API, or against <c>--url</c>. With <c>--serve</c> the in-process API
/// keeps running afterwards, so a person can open its web page.
/// </summary>
internal static class Program
{
    private static Task<int> Main(string[] args) => CommandLines.InvokeAsync(DemoCommandLine.Create(RunAsync), args);

    private static async Task<int> RunAsync(Uri? url, bool serve)
    {
        using var cancel = new CancellationTokenSource();
        Console.CancelKeyPress += (_, e) =>
        {
            e.Cancel = true;
            cancel.Cancel();
        };

        try
        {
            if (url is not null)
            {
                await RunSessionsAsync(url, cancel.Token);
            }
            else
            {
                await RunInProcessAsync(serve, cancel.Token);
            }

            return 0;
        }
        catch (Exception ex) when (ex is DemoFailedException or HttpRequestException)
        {
            // The transcript already shows the failing step; the message says what went wrong.
            var cause = ex.InnerException is { } inner ? $" ({inner.GetType().Name}: {inner.Message})" : string.Empty;
            await Console.Error.WriteLineAsync($"Demo FAILED: {ex.Message}{cause}");
            return 1;
        }
        catch (Exception ex)
        {
            await Console.Error.WriteLineAsync($"Demo FAILED unexpectedly: {ex}");
            return 1;
        }
    }

    private static async Task RunInProcessAsync(bool serve, CancellationToken cancellationToken)
    {
        await using var app = await PetStoreApp.StartAsync(
            "http://127.0.0.1:0",
            builder => builder.Logging.SetMinimumLevel(LogLevel.Warning),
            cancellationToken);
        var baseAddress = PetStoreApp.GetBaseAddress(app);
        Console.WriteLine($"PetStore API started in-process at {baseAddress} (plain HTTP and WsRest)");
        Console.WriteLine($"{DemoWebPage.UrlMarker}: {baseAddress}");
        await RunSessionsAsync(PetStoreApp.GetWsRestEndpoint(baseAddress), cancellationToken);
        if (serve)
        {
            Console.WriteLine();
            Console.WriteLine($"{DemoWebPage.ServingMarker} {baseAddress}: open it in a browser; Ctrl+C stops the server.");
            await WaitForCancelAsync(cancellationToken);
        }

        await app.StopAsync(CancellationToken.None);
    }

    private static async Task WaitForCancelAsync(CancellationToken cancellationToken)
    {
        var stopped = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using (cancellationToken.Register(() => stopped.TrySetResult()))
        {
            await stopped.Task;
        }

        Console.WriteLine("Stopping the server.");
    }

    /// <summary>The pets session, the kiosk session (a kiosk started in-process dials the same server), then the events session (pub/sub).</summary>
    private static async Task RunSessionsAsync(Uri wsEndpoint, CancellationToken cancellationToken)
    {
        await DemoSession.RunAsync(Console.Out, wsEndpoint, cancellationToken);
        Console.WriteLine();
        await KioskDemoSession.RunAsync(Console.Out, wsEndpoint, cancellationToken);
        Console.WriteLine();
        await EventsDemoSession.RunAsync(Console.Out, wsEndpoint, cancellationToken);
    }
}
