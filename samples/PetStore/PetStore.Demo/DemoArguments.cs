namespace PetStore.Demo;

/// <summary>The demo's command line: <c>[--url ws://host:port/wsrest]</c>.</summary>
internal sealed record DemoArguments(Uri? Url)
{
    public const string Usage = "usage: PetStore.Demo [--url ws://host:port/wsrest]   (without --url the API starts in-process)";

    public static bool TryParse(string[] args, out DemoArguments? parsed, out string? error)
    {
        parsed = null;
        error = null;
        Uri? url = null;
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
            else
            {
                error = $"Unexpected argument '{args[i]}'.";
                return false;
            }
        }

        parsed = new DemoArguments(url);
        return true;
    }
}
