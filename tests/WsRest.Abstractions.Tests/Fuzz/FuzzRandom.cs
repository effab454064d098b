namespace WsRest.Abstractions.Tests.Fuzz;

/// <summary>
/// SplitMix64: a tiny, fast generator whose sequence depends only on its seed (not on the runtime's
/// <see cref="Random"/> implementation), so an input is reproducible from (seed, index) forever.
/// Not for security; only for generating fuzz inputs.
/// </summary>
internal sealed class FuzzRandom
{
    private ulong _state;

    public FuzzRandom(ulong seed) => _state = seed;

    /// <summary>Starts the sequence of input <paramref name="index"/> of run <paramref name="seed"/>.</summary>
    public void Reset(ulong seed, long index) => _state = Mix(Mix(seed) ^ ((ulong)index * 0xD1B54A32D192ED03UL));

    public ulong NextUInt64()
    {
        _state += 0x9E3779B97F4A7C15UL;
        return Mix(_state);
    }

    /// <summary>A value in [0, <paramref name="maxExclusive"/>); <paramref name="maxExclusive"/> must be positive.</summary>
    public int Next(int maxExclusive) => (int)((NextUInt64() >> 1) % (ulong)maxExclusive);

    /// <summary>A value in [<paramref name="min"/>, <paramref name="maxExclusive"/>).</summary>
    public int Next(int min, int maxExclusive) => min + Next(maxExclusive - min);

    /// <summary>True with probability <paramref name="percent"/>/100.</summary>
    public bool Chance(int percent) => Next(100) < percent;

    public T Pick<T>(IReadOnlyList<T> items) => items[Next(items.Count)];

    /// <summary>A length biased towards small values: most fuzz findings need only a few bytes.</summary>
    public int SmallLength(int max) => Next(4) switch
    {
        0 => Next(Math.Min(max, 4) + 1),
        1 => Next(Math.Min(max, 16) + 1),
        2 => Next(Math.Min(max, 64) + 1),
        _ => Next(max + 1),
    };

    public void NextBytes(Span<byte> destination)
    {
        for (var i = 0; i < destination.Length; i++)
        {
            destination[i] = (byte)NextUInt64();
        }
    }

    private static ulong Mix(ulong z)
    {
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}
