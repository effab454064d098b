using System.CommandLine;
using WsRest.CommandLine;

namespace PetStore.Kiosk;

/// <summary>
/// The kiosk's command line (System.CommandLine): <c>[--url ws://host:port/wsrest] [--name NAME]</c>.
/// <c>--help</c> shows both with their defaults; a bad command line prints one line and exits 2.
/// </summary>
internal static class KioskCommandLine
{
    private static readonly Option<Uri?> s_url = CommandLines.WebSocketUrl(
        "--url", $"The PetStore server's WsRest endpoint to dial [default: {KioskApp.DefaultEndpoint}]");

    private static readonly Option<string> s_name = new("--name")
    {
        Description = $"The kiosk's name, as the server lists it (1 to {KioskApp.MaxNameLength} characters)",
        DefaultValueFactory = _ => KioskApp.DefaultName,
        Validators =
        {
            result =>
            {
                var name = result.GetValueOrDefault<string>();
                if (string.IsNullOrWhiteSpace(name) || name.Length > KioskApp.MaxNameLength)
                {
                    result.AddError($"--name must be 1 to {KioskApp.MaxNameLength} characters; got '{name}'.");
                }
            },
        },
    };

    /// <summary>The root command; its action runs <paramref name="run"/> with the endpoint and the name.</summary>
    public static RootCommand Create(Func<Uri, string, Task<int>> run)
    {
        var root = new RootCommand("""
            PetStore.Kiosk: a store kiosk with no listening port; it dials the PetStore server and serves
            GET /status and PUT /display over that WebSocket until Ctrl+C.
            Exit code: 0 stopped, 1 could not connect, 2 bad command line.
            """)
        {
            s_url,
            s_name,
        };
        root.SetAction(parsed => run(parsed.GetValue(s_url) ?? new Uri(KioskApp.DefaultEndpoint), parsed.GetRequiredValue(s_name)));
        return root;
    }
}
