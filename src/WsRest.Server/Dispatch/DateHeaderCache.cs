using System.Globalization;

namespace WsRest.Server.Dispatch;

/// <summary>
/// The <c>Date</c> response header value (RFC 9110 §6.6.1), formatted once a second and shared by every
/// response in that second, as Kestrel's <c>DateHeaderValueManager</c> does: a response costs a clock
/// read, not a formatted string.
/// </summary>
internal sealed class DateHeaderCache(TimeProvider clock)
{
    private Entry? _current;

    /// <summary>The cache on the system clock, shared by every connection that uses it.</summary>
    public static DateHeaderCache System { get; } = new(TimeProvider.System);

    /// <summary>One cache per clock: the shared one for the system clock, a new one for a test's clock.</summary>
    public static DateHeaderCache For(TimeProvider clock) => ReferenceEquals(clock, TimeProvider.System) ? System : new DateHeaderCache(clock);

    /// <summary>The current second in IMF-fixdate form ("Mon, 07 Dec 2026 17:30:00 GMT").</summary>
    public string Value
    {
        get
        {
            var now = clock.GetUtcNow();
            var second = now.ToUnixTimeSeconds();
            var entry = Volatile.Read(ref _current);
            if (entry is null || entry.Second != second)
            {
                // Two requests crossing into a new second may both format it; either result is right.
                entry = new Entry(second, now.ToString("r", CultureInfo.InvariantCulture));
                Volatile.Write(ref _current, entry);
            }

            return entry.Value;
        }
    }

    private sealed record Entry(long Second, string Value);
}
