using System.Diagnostics;
using System.Runtime.CompilerServices;

namespace WsRest.Abstractions.Tests.Fuzz;

/// <summary>
/// The codec fuzz harness in the normal test run (docs/fuzzing.md): the seed corpus is valid, a fixed
/// set of 200,000 generated inputs finds nothing, and the harness itself reports exceptions, hangs and
/// minimized inputs. Long runs: <c>dotnet run -c Release --project bench/WsRest.Fuzz</c>.
/// </summary>
public class CodecFuzzTests
{
    /// <summary>Fixed: the same inputs on every run and every machine.</summary>
    private const ulong DeterministicSeed = 20_250_611;

    private const long DeterministicInputs = 200_000;

    [Test]
    public void SeedCorpusDecodesCleanly()
    {
        var target = new FuzzTarget { Strict = true };
        foreach (var seed in FuzzCorpus.Seeds)
        {
            try
            {
                target.Run(seed);
            }
            catch (Exception ex)
            {
                Assert.Fail($"seed {Bytes.ToHex(seed)} failed: {FuzzTarget.Signature(target.Step, ex)}\n{ex}");
            }
        }

        // Every decoder has at least one valid seed to mutate.
        foreach (var step in Enum.GetValues<FuzzStep>())
        {
            Assert.That(target.Accepted[(int)step], Is.GreaterThan(0), $"no seed reaches {step}");
        }
    }

    [Test]
    public void DeterministicFuzzRunFindsNothing()
    {
        var report = FuzzRunner.Run(new FuzzOptions { Inputs = DeterministicInputs, Seed = DeterministicSeed });
        TestContext.Out.WriteLine(report.Describe());

        Assert.That(report.InputsRun, Is.EqualTo(DeterministicInputs));
        Assert.That(report.Failures, Is.Empty, () => "The codec fuzzer found a bug (reproduce one input with `dotnet run -c Release --project bench/WsRest.Fuzz -- --input <hex>`):\n" + report.Describe());

        // The mutations reach every decoder, on both the accepting and the rejecting side.
        Assert.Multiple(() =>
        {
            foreach (var step in report.Steps)
            {
                Assert.That(step.Accepted, Is.GreaterThan(0), $"{step.Step}: no generated input was accepted");
                Assert.That(step.Rejected, Is.GreaterThan(0), $"{step.Step}: no generated input was rejected");
            }
        });
    }

    [Test]
    public void InputsDependOnlyOnSeedAndIndex()
    {
        Assert.That(FuzzRunner.Generate(7, 12_345), Is.EqualTo(FuzzRunner.Generate(7, 12_345)));
        Assert.That(FuzzRunner.Generate(7, 12_345), Is.Not.EqualTo(FuzzRunner.Generate(8, 12_345)));

        var one = FuzzRunner.Run(new FuzzOptions { Inputs = 3_000, Seed = 3, Workers = 1, Minimize = false });
        var two = FuzzRunner.Run(new FuzzOptions { Inputs = 3_000, Seed = 3, Workers = 2, Minimize = false });
        Assert.That(two.Steps, Is.EqualTo(one.Steps));
        Assert.That(two.InputBytes, Is.EqualTo(one.InputBytes));
        Assert.That(two.Reasons, Is.EquivalentTo(one.Reasons));
    }

    [Test]
    public void AnExceptionOtherThanTheProtocolErrorIsReportedWithAMinimizedInput()
    {
        // A planted bug: a REQUEST message containing 0xAB "crashes".
        var report = FuzzRunner.Run(new FuzzOptions
        {
            Inputs = 5_000,
            Seed = 11,
            // Never inlined: a finding's signature names the method that threw, and once the JIT had inlined
            // this check into the fuzzing loop (guarded devirtualization of the delegate, Release, loaded run)
            // the same planted bug was counted under a second signature, "at Worker.Run".
            ExtraCheck = [MethodImpl(MethodImplOptions.NoInlining)] static (input) =>
            {
                if (input.Length > 0 && input[0] == 0x04 && input.Contains((byte)0xAB))
                {
                    throw new InvalidOperationException("planted");
                }
            },
        });

        // Filtered: a real finding of the codecs (if any) is reported alongside and is not this test's business.
        var planted = report.Failures.Where(static f => f.Signature.Contains(nameof(InvalidOperationException), StringComparison.Ordinal)).ToList();
        Assert.That(planted, Has.Count.EqualTo(1), report.Describe());
        var failure = planted[0];
        Assert.That(failure.Signature, Does.StartWith("Envelope: System.InvalidOperationException"));
        Assert.That(failure.MinimizedHex, Is.EqualTo("04ab"));
        Assert.That(FuzzRunner.Check(Convert.FromHexString(failure.InputHex))?.Signature, Is.Not.EqualTo(failure.Signature), "without the planted check the finding is gone");
    }

    [Test]
    public void AHangIsReportedWithItsInput()
    {
        using var release = new ManualResetEventSlim();
        var blocked = 0;
        var clock = Stopwatch.StartNew();
        try
        {
            var report = FuzzRunner.Run(new FuzzOptions
            {
                Inputs = 1_000_000,
                Seed = 5,
                HangTimeout = TimeSpan.FromMilliseconds(300),
                ExtraCheck = input =>
                {
                    if (Interlocked.Exchange(ref blocked, 1) == 0)
                    {
                        release.Wait();
                    }
                },
            });

            Assert.That(report.Hung, Is.True);
            var hang = report.Failures.Single(static f => f.Signature.EndsWith(": hang", StringComparison.Ordinal));
            Assert.That(Convert.FromHexString(hang.InputHex), Is.EqualTo(FuzzRunner.Generate(5, hang.Index)), "the hung input is reported");
            Assert.That(report.InputsRun, Is.LessThan(1_000_000));
            Assert.That(clock.Elapsed, Is.LessThan(TimeSpan.FromSeconds(5)));
        }
        finally
        {
            release.Set();
        }
    }

    [Test]
    public void MinimizerKeepsOnlyWhatTheFindingNeeds()
    {
        var input = Bytes.FromHex("0401010b01072f706574732f3103420000");
        var minimized = FuzzMinimizer.Minimize(input, static candidate => candidate.AsSpan().Contains((byte)0x42));
        Assert.That(minimized, Is.EqualTo(new byte[] { 0x42 }));
    }
}
