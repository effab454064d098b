using System.Diagnostics;

namespace PetStore.Tests;

/// <summary>
/// The demo program as <c>dotnet run --project samples/PetStore/PetStore.Demo</c> runs it (it starts its
/// own API in-process), from its own output directory: building this project builds it there, in the
/// same configuration. (The copy in this test's output directory does not run: its deps.json wants
/// package assemblies in the versions the demo resolved, and this directory holds the test's.)
/// </summary>
internal static class DemoProcess
{
    public static Process Start(params string[] arguments) => StartSample("PetStore.Demo", arguments);

    /// <summary>A sample program this project references (PetStore.Demo, PetStore.Kiosk), from its own output directory.</summary>
    public static Process StartSample(string name, params string[] arguments)
    {
        var tfm = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        var demo = RepositoryFiles.PathOf($"samples/PetStore/{name}/bin/{tfm.Parent!.Name}/{tfm.Name}/{name}.dll");
        Assert.That(File.Exists(demo), Is.True, $"{demo} is missing; PetStore.Tests references {name}, so building it builds the program there.");
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host ? host : "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(demo);
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        return Process.Start(start)!;
    }
}
