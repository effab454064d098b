namespace WsRest.Fuzz;

/// <summary>The long codec run's settings, as <see cref="FuzzCommandLine"/> parsed them.</summary>
internal sealed record CodecFuzzArguments(long Inputs, ulong Seed, int Workers, TimeSpan HangTimeout, TimeSpan ProgressInterval, bool Reasons, bool Minimize);
