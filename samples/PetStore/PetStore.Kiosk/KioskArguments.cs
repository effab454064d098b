namespace PetStore.Kiosk;

/// <summary>The kiosk's command line: <c>[--url ws://host:port/wsrest] [--name NAME]</c>.</summary>
internal sealed record KioskArguments(Uri Url, string Name)
{
    public const string Usage = "usage: PetStore.Kiosk [--url ws://host:port/wsrest] [--name NAME]   (defaults: --url "
        + KioskApp.DefaultEndpoint + " --name " + KioskApp.DefaultName + ")";

    public static bool TryParse(string[] args, out KioskArguments? parsed, out string? error)
    {
        parsed = null;
        error = null;
        var url = new Uri(KioskApp.DefaultEndpoint);
        var name = KioskApp.DefaultName;
        for (var i = 0; i < args.Length; i++)
        {
            if (args[i] is "--url" && i + 1 < args.Length)
            {
                if (!Uri.TryCreate(args[++i], UriKind.Absolute, out var candidate) || (candidate.Scheme != "ws" && candidate.Scheme != "wss"))
                {
                    error = $"--url must be an absolute ws:// or wss:// URI; got '{args[i]}'.";
                    return false;
                }

                url = candidate;
            }
            else if (args[i] is "--name" && i + 1 < args.Length)
            {
                name = args[++i];
                if (string.IsNullOrWhiteSpace(name) || name.Length > KioskApp.MaxNameLength)
                {
                    error = $"--name must be 1 to {KioskApp.MaxNameLength} characters; got '{name}'.";
                    return false;
                }
            }
            else
            {
                error = $"Unexpected argument '{args[i]}'.";
                return false;
            }
        }

        parsed = new KioskArguments(url, name);
        return true;
    }
}
