namespace PetStore.Demo;

/// <summary>The demo's command line: <c>[--url ws://host:port/wsrest] [--serve]</c>.</summary>
internal sealed record DemoArguments(Uri? Url, bool Serve)
{
    public const string Usage = """
        usage: PetStore.Demo [--url ws://host:port/wsrest] [--serve]
          without --url  the API starts in-process (its web page's URL is printed)
          --serve        after the sessions, keep the in-process API running for a browser until Ctrl+C
        """;

    public static bool TryParse(string[] args, out DemoArguments? parsed, out string? error)
    {
        parsed = null;
        error = null;
        Uri? url = null;
        var serve = false;
        for (var i = 0; i < args.Length; i++)
        {
            if (args[i] is "--url" && i + 1 < args.Length)
            {
                if (!Uri.TryCreate(args[++i], UriKind.Absolute, out url) || (url.Scheme != "ws" && url.Scheme != "wss"))
                {
                    error = $"--url must be an absolute ws:// or wss:// URI; got '{args[i]}'.";
                    return false;
                }
            }
            else if (args[i] is "--serve")
            {
                serve = true;
            }
            else
            {
                error = $"Unexpected argument '{args[i]}'.";
                return false;
            }
        }

        if (serve && url is not null)
        {
            error = "--serve keeps the demo's own in-process API running; a server at --url is already running.";
            return false;
        }

        parsed = new DemoArguments(url, serve);
        return true;
    }
}
