using System.Reflection;
using System.Runtime.InteropServices;

namespace WsRest.Load;

/// <summary>What a report must say about where it was measured: the commit built, the machine, its load.</summary>
internal static class RunEnvironment
{
    /// <summary>The commit this program was built from (the SDK appends it to the informational version), and the machine.</summary>
    public static string Describe()
    {
        var version = typeof(RunEnvironment).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion;
        var plus = version?.IndexOf('+', StringComparison.Ordinal) ?? -1;
        var commit = plus >= 0 ? version![(plus + 1)..] : "unknown (built outside git)";
        return $"commit {commit}; machine {Environment.MachineName}: {CpuModel()}, {Environment.ProcessorCount} cores, {RuntimeInformation.OSDescription}";
    }

    /// <summary>Other processes on the machine take cores from both ends: the 1/5/15-minute load averages tell.</summary>
    public static string LoadAverage(string label) =>
        File.Exists("/proc/loadavg") ? $"{label}: {File.ReadAllText("/proc/loadavg").Trim()} (/proc/loadavg)" : $"{label}: not available";

    private static string CpuModel()
    {
        const string Key = "model name";
        var line = File.Exists("/proc/cpuinfo") ? File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith(Key, StringComparison.Ordinal)) : null;
        return line is null ? RuntimeInformation.ProcessArchitecture.ToString() : line[(line.IndexOf(':', StringComparison.Ordinal) + 1)..].Trim();
    }
}
