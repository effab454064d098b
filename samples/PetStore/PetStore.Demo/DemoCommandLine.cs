using System.CommandLine;
using WsRest.CommandLine;

namespace PetStore.Demo;

/// <summary>
/// The demo's command line (System.CommandLine): <c>[--url ws://host:port/wsrest] [--serve]</c>. <c>--help</c>
/// describes both; a bad command line prints one line and exits 2 (eng/CommandLine/CommandLines.cs).
/// </summary>
internal static class DemoCommandLine
{
    private static readonly Option<Uri?> s_url = CommandLines.WebSocketUrl(
        "--url", "The WsRest endpoint of a running PetStore API [default: none: the API starts in-process and its web page's URL is printed]");

    private static readonly Option<bool> s_serve = new("--serve")
    {
        Description = "After the sessions, keep the in-process API running for a browser until Ctrl+C",
    };

    /// <summary>The root command; its action runs <paramref name="run"/> with the URL (null: in-process) and --serve.</summary>
    public static RootCommand Create(Func<Uri?, bool, Task<int>> run)
    {
        var root = new RootCommand("""
            PetStore.Demo: the pets, kiosk and events sessions over one WsRest connection, against an
            in-process PetStore API (the default) or a running one (--url).
            Exit code: 0 every step behaved as expected, 1 a step did not, 2 bad command line.
            """)
        {
            s_url,
            s_serve,
        };
        root.Validators.Add(result =>
        {
            if (result.GetValue(s_serve) && result.GetValue(s_url) is not null)
            {
                result.AddError("--serve keeps the demo's own in-process API running; a server at --url is already running.");
            }
        });
        root.SetAction(parsed => run(parsed.GetValue(s_url), parsed.GetValue(s_serve)));
        return root;
    }
}
