namespace PetStore.Kiosk;

/// <summary>The kiosk's state: its name, what its screen shows, and how long it has been running. Thread-safe.</summary>
internal sealed class KioskScreen(string name, TimeProvider timeProvider)
{
    private readonly long _startedAt = timeProvider.GetTimestamp();
    private volatile string _text = KioskApp.InitialScreen;

    /// <summary>The kiosk's name, as it announced it to the server.</summary>
    public string Name { get; } = name;

    /// <summary>The text on the screen now.</summary>
    public string Text
    {
        get => _text;
        set => _text = value;
    }

    /// <summary>How long the kiosk has been running.</summary>
    public TimeSpan Uptime => timeProvider.GetElapsedTime(_startedAt);
}
