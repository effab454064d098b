using BenchmarkDotNet.Running;

namespace WsRest.Benchmarks;

/// <summary>BenchmarkDotNet micro-benchmarks: <c>dotnet run -c Release --project bench/WsRest.Benchmarks -- --filter "*"</c>.</summary>
internal static class Program
{
    private static void Main(string[] args) => BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
}
