namespace PetStore.Kiosk;

/// <summary>
/// Runs a kiosk standalone: it dials the PetStore server (<c>--url</c>, default
/// <see cref="KioskApp.DefaultEndpoint"/>) and serves its API over that connection until Ctrl+C.
/// </summary>
internal static class Program
{
    private static async Task<int> Main(string[] args)
    {
        if (!KioskArguments.TryParse(args, out var parsed, out var error))
        {
            await Console.Error.WriteLineAsync(error + Environment.NewLine + KioskArguments.Usage);
            return 2;
        }

        var builder = KioskApp.CreateBuilder([], parsed!.Url, parsed.Name);
        await using var app = KioskApp.Build(builder);
        try
        {
            await app.StartAsync();
        }
        catch (HttpRequestException ex)
        {
            await Console.Error.WriteLineAsync($"Kiosk '{parsed.Name}' could not connect to {parsed.Url}: {ex.Message}");
            return 1;
        }

        Console.WriteLine($"Kiosk '{parsed.Name}' connected to {parsed.Url} as connection {KioskApp.GetConnectionId(app)}.");
        Console.WriteLine("Serving GET /status and PUT /display over that WebSocket (no listening port). Press Ctrl+C to stop.");
        await app.WaitForShutdownAsync();
        return 0;
    }
}
