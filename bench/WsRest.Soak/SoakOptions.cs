using System.Globalization;

namespace WsRest.Soak;

/// <summary>The soak command's options (docs/resilience.md, "Soak").</summary>
internal sealed record SoakOptions
{
    /// <summary>Client connections (one <c>WsRestClient</c> each).</summary>
    public int Connections { get; init; } = 8;

    /// <summary>Requests each connection keeps in flight.</summary>
    public int RequestsInFlight { get; init; } = 4;

    /// <summary>How long faults are injected and requests issued; the drain that follows is bounded separately.</summary>
    public TimeSpan Duration { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>Events per second published on each of the two topics.</summary>
    public int EventsPerSecond { get; init; } = 50;

    /// <summary>Seed of every random choice (faults, request mix, churn), printed so a run can be repeated.</summary>
    public int Seed { get; init; } = Environment.TickCount;

    /// <summary>How long, after the faults stop, every request and unsubscribe has to finish before it counts as hung.</summary>
    public TimeSpan DrainTimeout { get; init; } = TimeSpan.FromSeconds(90);

    /// <summary>Whether server restarts are among the faults.</summary>
    public bool Restarts { get; init; } = true;

    public static SoakOptions Parse(string[] args)
    {
        var options = new SoakOptions();
        for (var i = 0; i < args.Length; i++)
        {
            string Value() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value");
            options = args[i] switch
            {
                "--connections" => options with { Connections = Positive(int.Parse(Value(), CultureInfo.InvariantCulture)) },
                "--in-flight" => options with { RequestsInFlight = Positive(int.Parse(Value(), CultureInfo.InvariantCulture)) },
                "--duration" => options with { Duration = TimeSpan.FromSeconds(Positive(double.Parse(Value(), CultureInfo.InvariantCulture))) },
                "--events-per-second" => options with { EventsPerSecond = Positive(int.Parse(Value(), CultureInfo.InvariantCulture)) },
                "--seed" => options with { Seed = int.Parse(Value(), CultureInfo.InvariantCulture) },
                "--drain-timeout" => options with { DrainTimeout = TimeSpan.FromSeconds(Positive(double.Parse(Value(), CultureInfo.InvariantCulture))) },
                "--no-restarts" => options with { Restarts = false },
                _ => throw new ArgumentException($"unknown argument {args[i]}"),
            };
        }

        return options;
    }

    public const string Usage =
        "usage: WsRest.Soak [--duration SECONDS (60)] [--connections N (8)] [--in-flight N (4)] [--events-per-second N (50)]\n" +
        "                   [--seed S] [--drain-timeout SECONDS (90)] [--no-restarts]\n" +
        "exit code: 0 every invariant held, 1 an invariant broke, 2 bad arguments";

    private static T Positive<T>(T value)
        where T : System.Numerics.INumber<T>
        => value > T.Zero ? value : throw new ArgumentException($"{value} must be positive");
}
