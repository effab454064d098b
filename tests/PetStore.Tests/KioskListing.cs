using System.Net.Http.Json;
using PetStore.Api;

namespace PetStore.Tests;

/// <summary>
/// Reads <c>GET /kiosks</c>. A kiosk's start returns once its handshake is sent and the server lists it
/// once it has read it (and drops it once it has seen the close), so tests wait for the listing they
/// expect: a bounded poll that fails the test when <see cref="TestTimeout"/> runs out.
/// </summary>
internal static class KioskListing
{
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(10);

    public static async Task<IReadOnlyList<ConnectedKiosk>> GetAsync(HttpClient http, CancellationToken cancellationToken)
        => (await http.GetFromJsonAsync("kiosks", KioskJsonContext.Default.IReadOnlyListConnectedKiosk, cancellationToken))!;

    /// <summary>Lists kiosks until <paramref name="until"/> holds; fails the test with <paramref name="what"/> if it never does.</summary>
    public static async Task<IReadOnlyList<ConnectedKiosk>> WaitAsync(HttpClient http, Func<IReadOnlyList<ConnectedKiosk>, bool> until, string what, CancellationToken cancellationToken)
    {
        IReadOnlyList<ConnectedKiosk> last = [];
        try
        {
            while (true)
            {
                last = await GetAsync(http, cancellationToken);
                if (until(last))
                {
                    return last;
                }

                await Task.Delay(PollInterval, cancellationToken);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            Assert.Fail($"Timed out waiting until {what}; GET /kiosks last listed: [{string.Join(", ", last.Select(k => $"{k.Id} {k.Name}"))}]");
            throw;
        }
    }

    public static Task<IReadOnlyList<ConnectedKiosk>> WaitUntilListedAsync(HttpClient http, TestKiosk kiosk, CancellationToken cancellationToken)
        => WaitAsync(http, kiosks => kiosks.Any(k => k.Id == kiosk.Id), $"kiosk {kiosk.Id} ({kiosk.Name}) is listed", cancellationToken);

    public static Task<IReadOnlyList<ConnectedKiosk>> WaitUntilGoneAsync(HttpClient http, TestKiosk kiosk, CancellationToken cancellationToken)
        => WaitAsync(http, kiosks => kiosks.All(k => k.Id != kiosk.Id), $"kiosk {kiosk.Id} ({kiosk.Name}) is no longer listed", cancellationToken);
}
