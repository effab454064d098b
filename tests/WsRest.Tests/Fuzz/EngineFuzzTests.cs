namespace WsRest.Tests.Fuzz;

/// <summary>
/// A short run of the stateful engine fuzzer (docs/fuzzing.md, "The engine"): live peers of both roles survive
/// random, mostly well-formed frame sequences, end without hanging, and leave no stream, queued byte, running
/// handler, topic or pooled buffer behind. The seed is printed; set WSREST_ENGINE_FUZZ_SEED to repeat a run, or run
/// <c>dotnet run -c Release --project bench/WsRest.Fuzz -- engine --sessions N --seed S</c>.
/// </summary>
[TestFixture]
public sealed class EngineFuzzTests
{
    [Test]
    public async Task LivePeersSurviveRandomFrameSequencesAndComeToRest()
    {
        var seed = int.TryParse(Environment.GetEnvironmentVariable("WSREST_ENGINE_FUZZ_SEED"), out var fixedSeed) ? fixedSeed : 20261207;
        TestContext.Out.WriteLine($"engine fuzz seed {seed}");

        var report = await EngineFuzzRunner.RunAsync(sessions: 60, seed);

        using var text = new StringWriter();
        report.WriteTo(text);
        TestContext.Out.WriteLine(text);
        // Open findings (docs/fuzzing.md, "Findings") would be set aside here by signature, so this run keeps guarding
        // everything else, and removed with their fix. None is open: the pooled-buffer leak and the unobserved reset of
        // an abandoned client request are fixed (EngineFuzzFindingTests), so this run checks both again.
        var unknown = report.Findings.Keys.ToList();
        Assert.That(unknown, Is.Empty, text.ToString());
        Assert.That(report.MemoryGrowth, Is.Null, text.ToString());
    }
}
