using WsRest.Client;
using WsRest.Tests.Infrastructure;

namespace WsRest.Tests.Resilience;

/// <summary>Reading a client's (or the registry's) event stream in the resilience tests, each read bounded.</summary>
internal static class ClientEvents
{
    public static readonly TimeSpan Generous = TimeSpan.FromSeconds(30);

    /// <summary>Options for a client behind <paramref name="proxy"/> with short reconnect delays (50 ms doubling to 500 ms).</summary>
    public static WsRestClientOptions ThroughProxy(FaultProxy proxy)
    {
        var options = new WsRestClientOptions { Endpoint = proxy.WsUri("/wsrest") };
        options.Reconnect.InitialDelay = TimeSpan.FromMilliseconds(50);
        options.Reconnect.MaxDelay = TimeSpan.FromMilliseconds(500);
        return options;
    }

    public static async Task<T> NextAsync<T>(IAsyncEnumerator<T> events)
    {
        Assert.That(await events.MoveNextAsync().AsTask().WaitAsync(Generous), Is.True, "an event arrived");
        return events.Current;
    }

    public static async Task<WsRestClientEvent> NextOfKindAsync(IAsyncEnumerator<WsRestClientEvent> events, WsRestClientEventKind kind)
    {
        while (true)
        {
            var next = await NextAsync(events);
            if (next.Kind == kind)
            {
                return next;
            }
        }
    }

    /// <summary>The next Reconnecting event that reports a failed attempt: the client is backing off or about to try again.</summary>
    public static async Task<WsRestClientEvent> NextFailedAttemptAsync(IAsyncEnumerator<WsRestClientEvent> events)
    {
        while (true)
        {
            var next = await NextOfKindAsync(events, WsRestClientEventKind.Reconnecting);
            if (next.Attempt > 1)
            {
                return next;
            }
        }
    }

    /// <summary>A GET that waits for ready (<see cref="WsRestClientRequestOptions.WaitForReady"/>) when <paramref name="waitForReady"/> says so.</summary>
    public static async Task<string> GetStringAsync(HttpClient http, string path, bool waitForReady)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Options.Set(WsRestClientRequestOptions.WaitForReady, waitForReady);
        using var response = await http.SendAsync(request);
        response.EnsureSuccessStatusCode();
        return await response.Content.ReadAsStringAsync();
    }
}
