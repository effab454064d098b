using WsRest.CommandLine;

namespace PetStore.Kiosk;

/// <summary>
/// Runs a kiosk standalone: it dials the PetStore server (<c>--url</c>, default
/// <see cref="KioskApp.DefaultEndpoint"/>) and serves its API over that connection until Ctrl+C.
/// </summary>
internal static class Program
{
    private static Task<int> Main(string[] args) => CommandLines.InvokeAsync(KioskCommandLine.Create(RunAsync), args);

    private static async Task<int> RunAsync(Uri url, string name)
    {
        var builder = KioskApp.CreateBuilder([], url, name);
        await using var app = KioskApp.Build(builder);
        try
        {
            await app.StartAsync();
        }
        catch (HttpRequestException ex)
        {
            await Console.Error.WriteLineAsync($"Kiosk '{name}' could not connect to {url}: {ex.Message}");
            return 1;
        }

        Console.WriteLine($"Kiosk '{name}' connected to {url} as connection {KioskApp.GetConnectionId(app)}.");
        Console.WriteLine("Serving GET /status and PUT /display over that WebSocket (no listening port). Press Ctrl+C to stop.");
        await app.WaitForShutdownAsync();
        return 0;
    }
}
